"""Writes of mood check-ins: validated, stored once per client id, the note screened for crisis
language (an alert in the same transaction), audited."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from careloop.assessments.types import SubmissionSource
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import require_write
from careloop.core import clock
from careloop.core.errors import InvalidInput
from careloop.core.idempotency import replayed
from careloop.core.text import clean_free_text
from careloop.monitoring.models import CheckIn
from careloop.safety.services.screening import raise_alert_if_at_risk, screen_patient_text
from careloop.safety.text import TextScreen

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

MOOD_MIN, MOOD_MAX = 0, 10
MAX_NOTE_CHARS = 500
# An offline phone's clock may run a little fast; "completed in the future" beyond this is refused.
MAX_CLOCK_SKEW = timedelta(minutes=5)


def _validate_checkin(mood: object, note: str, completed_at: datetime | None) -> None:
    if isinstance(mood, bool) or not isinstance(mood, int) or not MOOD_MIN <= mood <= MOOD_MAX:
        raise InvalidInput(
            f"mood must be a whole number from {MOOD_MIN} (very low) to {MOOD_MAX} (very good)"
        )
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"the note can be at most {MAX_NOTE_CHARS} characters")
    if completed_at is not None:
        if completed_at.tzinfo is None:
            raise InvalidInput("completed_at needs a time zone offset, e.g. 2026-03-02T09:00Z")
        if completed_at > clock.now() + MAX_CLOCK_SKEW:
            raise InvalidInput("completed_at cannot be in the future")


def _replayed_checkin(
    patient: Patient, client_id: uuid.UUID, mood: int, note: str
) -> CheckIn | None:
    """The earlier copy of a re-sent check-in, or None; a different payload is a conflict."""
    return replayed(
        CheckIn.objects.filter(service_id=patient.service_id, patient=patient),
        client_id,
        content=lambda earlier: (earlier.mood, earlier.note),
        sent=(mood, note),
        what="check-in",
    )


def _screen_note(note: str) -> TextScreen | None:
    """Screen a check-in note for crisis language (outside the transaction: it is CPU work)."""
    return screen_patient_text(note) if note else None


def _store_checkin(
    patient: Patient, actor: User, checkin: CheckIn, screen: TextScreen | None
) -> CheckIn:
    checkin.save(force_insert=True)
    # Same transaction as the note (outbox): a crisis note never exists without its alert.
    raise_alert_if_at_risk(
        patient, screen, source=f"checkin:{checkin.id}", kind="checkin", actor=actor
    )
    record_event(
        actor=actor,
        action=AuditAction.CHECKIN_SUBMITTED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=PurposeOfUse.PATRQT if actor.id == patient.user_id else PurposeOfUse.TREAT,
        obj=("CheckIn", checkin.id),
    )
    return checkin


def record_checkin(
    patient: Patient,
    *,
    actor: User,
    mood: int,
    client_id: uuid.UUID,
    source: SubmissionSource,
    note: str = "",
    completed_at: datetime | None = None,
) -> tuple[CheckIn, bool]:
    """Store a mood check-in once per client id; return it and whether it is new (audited)."""
    require_write(actor, patient)
    note = clean_free_text(note, what="note")  # a lone surrogate is stored as U+FFFD (HZ-024)
    _validate_checkin(mood, note, completed_at)
    if earlier := _replayed_checkin(patient, client_id, mood, note):
        return earlier, False
    now = clock.now()
    checkin = CheckIn(
        service_id=patient.service_id,
        patient=patient,
        mood=mood,
        note=note,
        completed_at=min(completed_at or now, now),  # within the allowed skew: never future
        recorded_at=now,
        submitted_by=actor,
        source=source,
        client_id=client_id,
    )
    screen = _screen_note(note)
    try:
        with transaction.atomic():
            return _store_checkin(patient, actor, checkin, screen), True
    except IntegrityError:
        # Two copies of one check-in raced; the other one won. Return it (or report the clash).
        if earlier := _replayed_checkin(patient, client_id, mood, note):
            return earlier, False
        raise
