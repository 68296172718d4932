"""Crisis-language screening of a patient's free text (check-in notes, journal entries, messages)
and the alert it raises, one implementation for every domain that stores such text.

Screening is CPU work (up to about half a second of one core): call `screen_patient_text` before
opening the transaction, then `raise_alert_if_at_risk` inside the transaction that stores the
text, so a crisis text never exists without its alert. Only the spans that reach the alert score
on their own go into the alert: the care team sees the words that raised the concern, never the
rest of a private entry or conversation.
"""

from __future__ import annotations

from careloop.accounts.models import User
from careloop.care.models import Patient
from careloop.safety.models import Alert
from careloop.safety.services.raising import raise_alert_for_text_signal
from careloop.safety.text import TextScreen, screen_text
from careloop.safety.text.scoring import ALERT_SCORE

SCREENED_LANGUAGES = ("en", "es")


def screen_patient_text(patient: Patient, text: str) -> TextScreen:
    """Screen with the patient's language, or every lexicon when it has none (code-switching)."""
    language = patient.preferred_language
    primary = language.split("-")[0].lower() if language else ""
    return screen_text(text, language=primary if primary in SCREENED_LANGUAGES else None)


def raise_alert_if_at_risk(
    patient: Patient, result: TextScreen | None, *, source: str, kind: str, actor: User
) -> Alert | None:
    """Inside the storing transaction: the alert for a moderate or high result, else None."""
    if result is None or not result.should_alert:
        return None
    return raise_alert_for_text_signal(
        patient,
        source=source,
        level=result.level.value,
        evidence={
            "text_kind": kind,
            "score": result.score,
            "detector_version": result.detector_version,
            "model": result.model,
            "language": result.language,
            "spans": [s.as_dict() for s in result.evidence if s.weight >= ALERT_SCORE],
        },
        actor=actor,
    )
