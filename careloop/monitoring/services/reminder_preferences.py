"""The patient's own reminder settings (#14): the one write path, audited."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction

from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.core import clock
from careloop.core.errors import InvalidInput, NotFound
from careloop.monitoring.models import MeasurementPlan, ReminderPreference
from careloop.monitoring.schedule import local_date
from careloop.monitoring.selectors import patient_time_zone
from careloop.monitoring.types import ReminderSettings

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

MAX_PAUSE_DAYS = 366  # "until a date" at most a year ahead; longer is "until I switch them on"


def _validate(settings: ReminderSettings, today: date) -> None:
    if settings.paused_until is not None:
        if settings.paused_until <= today:
            raise InvalidInput("The pause must end on a day after today.")
        if (settings.paused_until - today).days > MAX_PAUSE_DAYS:
            raise InvalidInput(
                "Please choose a day within a year, or pause until you switch reminders back on."
            )
    for moment in (settings.remind_at, settings.quiet_starts, settings.quiet_ends):
        if moment.second or moment.microsecond:
            raise InvalidInput("Please choose a time in hours and minutes.")


def set_reminder_preference(
    *, actor: User, patient: Patient, settings: ReminderSettings, source_ip: str | None = None
) -> ReminderPreference:
    """Store the patient's reminder settings (only the patient themself; NotFound for anyone else).

    One transaction: the row, an audit event with the new settings, and the patient's active
    plans asked for an immediate reminder check so the worker applies the change at once.
    """
    if patient.user_id is None or actor.id != patient.user_id or not actor.is_active:
        raise NotFound("patient")
    now = clock.now()
    _validate(settings, local_date(now, patient_time_zone(patient)))
    with transaction.atomic():
        preference, _ = ReminderPreference.objects.select_for_update().update_or_create(
            service_id=patient.service_id,
            patient=patient,
            defaults={
                "channel": settings.channel,
                "remind_at": settings.remind_at,
                "quiet_starts": settings.quiet_starts,
                "quiet_ends": settings.quiet_ends,
                "paused": settings.paused,
                "paused_until": None if settings.paused else settings.paused_until,
                "updated_at": now,
            },
        )
        MeasurementPlan.objects.filter(
            service_id=patient.service_id, patient=patient, active=True
        ).update(next_reminder_at=now)
        record_event(
            actor=actor,
            action=AuditAction.REMINDER_PREFERENCES_CHANGED,
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=PurposeOfUse.PATRQT,
            obj=("ReminderPreference", preference.id),
            source_ip=source_ip,
            detail=settings.as_detail(),
        )
    return preference
