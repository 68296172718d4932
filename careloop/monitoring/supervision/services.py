"""Supervision writes: a supervisor's case-review note and sign-off (each audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from careloop.accounts.types import Role
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import open_episode, require_write
from careloop.core import clock
from careloop.core.errors import InvalidInput, PermissionDenied
from careloop.core.text import clean_free_text
from careloop.monitoring.supervision.models import CaseReview
from careloop.monitoring.supervision.types import NOTE_MAX_CHARS, ReviewOutcome

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

ONLY_SUPERVISORS = "Only the team's supervisor (psychiatric consultant) records case reviews."


@transaction.atomic
def record_case_review(
    actor: User, patient: Patient, *, note: str, outcome: str = ""
) -> CaseReview:
    """A supervisor reviews `patient`'s care: a note, or (with `outcome`) a sign-off.

    Who: the supervisor of the patient's care team (care.selectors.require_write decides the
    relationship: anyone outside the team gets NotFound, emergency access PermissionDenied; a
    clinician of the team PermissionDenied). What: a note in words (required without an
    outcome, at most NOTE_MAX_CHARS, stored encrypted) and an optional ReviewOutcome. Filed
    under the patient's ongoing course of care, if any. Audited as case management (CAREMGT):
    supervision.signed_off with the outcome, or supervision.note_added; never the note's text.
    """
    require_write(actor, patient)
    if actor.role != Role.SUPERVISOR:
        raise PermissionDenied(ONLY_SUPERVISORS)
    if outcome and outcome not in ReviewOutcome.values:
        raise InvalidInput("outcome: choose one of the decisions listed")
    text = clean_free_text(note, what="note")
    if not text and not outcome:
        raise InvalidInput("note: write a note, or choose a decision to sign off with")
    if len(text) > NOTE_MAX_CHARS:
        raise InvalidInput(f"note: at most {NOTE_MAX_CHARS} characters")
    episode = open_episode(patient)
    review = CaseReview.objects.create(
        service_id=patient.service_id,
        patient=patient,
        episode=episode,
        reviewer=actor,
        reviewed_at=clock.now(),
        outcome=outcome,
        note=text,
    )
    detail: dict[str, str] = {"review": str(review.id)}
    if outcome:
        detail["outcome"] = outcome
    record_event(
        actor=actor,
        action=(
            AuditAction.CASE_REVIEW_SIGNED_OFF if outcome else AuditAction.CASE_REVIEW_NOTE_ADDED
        ),
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=PurposeOfUse.CAREMGT,
        obj=("CaseReview", review.id),
        detail=detail,
    )
    return review


# Writes for the demo loader (careloop.seed) only: synthetic data, no audit events (nothing real
# happened), dated in the past so the demo's history reads like a real one.


def create_case_review_for_seed(**fields: Any) -> None:
    CaseReview.objects.create(**fields)
