"""'Who accessed my data' words every audit action a patient can meet."""

from __future__ import annotations

from careloop.audit.types import AuditAction
from careloop.rights.access.selectors import ACTION_PHRASES, NOT_ABOUT_ONE_PATIENT


def test_every_action_has_a_phrase_or_is_never_about_one_patient() -> None:
    phrased = set(ACTION_PHRASES)
    assert phrased <= set(AuditAction), phrased - set(AuditAction)
    assert not phrased & NOT_ABOUT_ONE_PATIENT
    assert phrased | NOT_ABOUT_ONE_PATIENT == set(AuditAction), set(AuditAction) - (
        phrased | NOT_ABOUT_ONE_PATIENT
    )
