"""Crisis-language screening of a patient's message, and the alert it raises (in the same
transaction as the message).

Only the spans that reach the alert score on their own go into the alert: the care team sees
the words that raised the concern, never the rest of the conversation.
"""

from __future__ import annotations

from careloop.accounts.models import User
from careloop.care.models import Patient
from careloop.safety.models import Alert
from careloop.safety.services import raise_alert_for_text_signal
from careloop.safety.text import TextScreen, screen_text
from careloop.safety.text.scoring import ALERT_SCORE

SCREENED_LANGUAGES = ("en", "es")


def screen(patient: Patient, text: str) -> TextScreen:
    """Screen with the patient's language, or every lexicon when it has none (code-switching).

    CPU work (up to about half a second of one core): call it before opening the transaction.
    """
    language = patient.preferred_language
    primary = language.split("-")[0].lower() if language else ""
    return screen_text(text, language=primary if primary in SCREENED_LANGUAGES else None)


def raise_alert_if_at_risk(
    patient: Patient, result: TextScreen, *, source: str, kind: str, actor: User
) -> Alert | None:
    """Call inside the transaction that stores the text; returns the alert for moderate or high."""
    if not result.should_alert:
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
