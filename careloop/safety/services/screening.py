"""Crisis-language screening of a patient's free text (check-in notes, journal entries, messages)
and the alert it raises, one implementation for every domain that stores such text.

Screening is CPU work (up to about half a second of one core): call `screen_patient_text` before
opening the transaction, then `raise_alert_if_at_risk` inside the transaction that stores the
text, so a crisis text never exists without its alert. Only the spans that reach the alert score
on their own go into the alert: the care team sees the words that raised the concern, never the
rest of a private entry or conversation.

Text in a language the detector does not cover comes back Level.NOT_SCREENED (HZ-026): it is
never stored as "none"; `raise_alert_if_at_risk` queues it for a clinician's review instead
(safety.services.review, kind text_not_screened), in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from careloop.safety.models import Alert
from careloop.safety.services.raising import raise_alert_for_text_signal
from careloop.safety.services.review import request_review
from careloop.safety.text import Level, TextScreen, screen_text
from careloop.safety.text.scoring import ALERT_SCORE
from careloop.safety.types import ReviewKind

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

_NOT_SCREENED_REASON = (
    "This {kind} could not be screened for crisis language: it is in a language the detector "
    "does not cover (it screens English, Spanish, French, Portuguese, German and Arabic). "
)
_TEXT_WORDS = {"journal": "journal entry", "message": "message", "checkin": "check-in note"}
_READ_IT = "Please read it."
# A private journal entry stays private (the patient was told the team sees only words that
# raise a concern, and unscreened text has no such words): the clinician is asked to check in
# with the patient instead of being pointed at text they cannot open.
_ASK_THE_PATIENT = (
    "The patient has not shared it, so you cannot read it: please check in with them and ask "
    "how they are (they were told an entry could not be checked and shown crisis help)."
)


def screen_patient_text(text: str) -> TextScreen:
    """Screen in the language the text is written in (detected; the patient's setting does not
    decide: people write in more than one language). Every lexicon runs."""
    return screen_text(text)


def raise_alert_if_at_risk(
    patient: Patient,
    result: TextScreen | None,
    *,
    source: str,
    kind: str,
    actor: User,
    team_can_read: bool = True,
) -> Alert | None:
    """Inside the storing transaction: the alert for a moderate or high result, else None.

    An unscreened result raises no alert but queues a clinician review of `source` (HZ-026).
    """
    if result is not None and result.level is Level.NOT_SCREENED:
        request_review(
            patient=patient,
            kind=ReviewKind.TEXT_NOT_SCREENED,
            reason=_NOT_SCREENED_REASON.format(kind=_TEXT_WORDS.get(kind, "text"))
            + (_READ_IT if team_can_read else _ASK_THE_PATIENT),
            # Facts only; the clinician opens the text itself from `source`.
            evidence={
                "text_kind": kind,
                "team_can_read": team_can_read,
                "detector_version": result.detector_version,
                "model": result.model,
                "score": result.score,
            },
            source_ref=source,
        )
        return None
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
