"""The patient's request for a person to review a decision an AI suggestion influenced, and
the care team's answer.

The deadline is REVIEW_DEADLINE_WORKING_DAYS working days (Monday-Friday; bank holidays are not
known to Careloop), configurable with the setting CARELOOP_AI_REVIEW_WORKING_DAYS. The task
stays open, and overdue after its deadline, until a clinician of the patient's care team
answers; the answer is shown to the patient on their receipt.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction

from careloop.accounts.types import Role
from careloop.ai.models import ReviewTask, Suggestion
from careloop.ai.types import (
    MESSAGE_MAX_CHARS,
    NOTE_MAX_CHARS,
    REVIEW_DEADLINE_WORKING_DAYS,
    ReviewStatus,
    SuggestionStatus,
)
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import own_patient_record, require_write
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from careloop.core.text import clean_free_text

if TYPE_CHECKING:
    from careloop.accounts.models import User


def working_days() -> int:
    days = getattr(settings, "CARELOOP_AI_REVIEW_WORKING_DAYS", REVIEW_DEADLINE_WORKING_DAYS)
    return max(1, int(days))


def add_working_days(start: datetime, days: int) -> datetime:
    """`days` working days (Mon-Fri) after `start`, at the same time of day."""
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def request_human_review(patient_actor: User, suggestion: Suggestion, message: str) -> ReviewTask:
    """The patient asks a person to review a decision their receipt shows (one open request
    per decision). Another person's suggestion, or one not decided yet, is NotFound.
    Creates a task for the care team with a deadline; audited (ai.human_review_requested)."""
    patient = own_patient_record(patient_actor)  # NotFound for anyone but a patient
    if suggestion.patient_id != patient.id or suggestion.status not in (
        SuggestionStatus.ACCEPTED,
        SuggestionStatus.OVERRIDDEN,
    ):
        raise NotFound("decision")
    text = clean_free_text(message or "", what="message")
    if len(text) > MESSAGE_MAX_CHARS:
        raise InvalidInput(f"message: at most {MESSAGE_MAX_CHARS} characters")
    now = clock.now()
    try:
        with transaction.atomic():
            task = ReviewTask.objects.create(
                service_id=patient.service_id,
                patient=patient,
                suggestion=suggestion,
                message=text,
                requested_by=patient_actor,
                requested_at=now,
                due_at=add_working_days(now, working_days()),
            )
            record_event(
                actor=patient_actor,
                action=AuditAction.AI_HUMAN_REVIEW_REQUESTED,
                service_id=patient.service_id,
                patient_id=patient.id,
                purpose=PurposeOfUse.PATRQT,
                obj=("ai.ReviewTask", task.id),
                detail={"suggestion": str(suggestion.id)},
            )
    except IntegrityError:
        raise Conflict("You have already asked for this decision to be reviewed.") from None
    return task


def answer_review(clinician: User, task: ReviewTask, answer: str) -> ReviewTask:
    """A clinician (or supervisor) of the patient's care team answers the patient's request.
    The answer is shown to the patient. Audited (ai.human_review_answered; no text)."""
    text = clean_free_text(answer or "", what="answer")
    if not text:
        raise InvalidInput("answer: write your answer to the patient")
    if len(text) > NOTE_MAX_CHARS:
        raise InvalidInput(f"answer: at most {NOTE_MAX_CHARS} characters")
    with transaction.atomic():
        locked = (
            ReviewTask.objects.select_for_update(of=("self",))
            .select_related("patient")
            .get(id=task.id)
        )
        if locked.patient.erased_at is not None:
            raise NotFound("review")
        require_write(clinician, locked.patient)
        if clinician.role not in (Role.CLINICIAN, Role.SUPERVISOR):
            raise PermissionDenied("A clinician of the care team answers a review request.")
        if locked.status != ReviewStatus.OPEN:
            raise Conflict("This request has already been answered.")
        now = clock.now()
        locked.status, locked.answer = ReviewStatus.ANSWERED, text
        locked.answered_by, locked.answered_at = clinician, now
        locked.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        record_event(
            actor=clinician,
            action=AuditAction.AI_HUMAN_REVIEW_ANSWERED,
            service_id=locked.service_id,
            patient_id=locked.patient_id,
            purpose=PurposeOfUse.TREAT,
            obj=("ai.ReviewTask", locked.id),
            detail={"late": now > locked.due_at},
        )
    return locked
