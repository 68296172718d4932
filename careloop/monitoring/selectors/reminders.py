"""Reads of the patient's reminder settings: for their own page, and for the reminder job."""

from __future__ import annotations

import uuid
from datetime import time
from typing import TYPE_CHECKING

from careloop.core.errors import NotFound
from careloop.monitoring.models import ReminderPreference
from careloop.monitoring.schedule import (
    QUIET_HOURS,
    REMIND_AT,
    QuietHours,
    ReminderTiming,
)
from careloop.monitoring.types import ReminderChannel, ReminderSettings

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

DEFAULT_SETTINGS = ReminderSettings(
    channel=ReminderChannel.EMAIL,
    remind_at=REMIND_AT,
    quiet_starts=QUIET_HOURS.starts,
    quiet_ends=QUIET_HOURS.ends,
)


def _settings(row: ReminderPreference) -> ReminderSettings:
    return ReminderSettings(
        channel=ReminderChannel(row.channel),
        remind_at=row.remind_at,
        quiet_starts=row.quiet_starts,
        quiet_ends=row.quiet_ends,
        paused=row.paused,
        paused_until=row.paused_until,
    )


def timing_of(settings: ReminderSettings) -> ReminderTiming:
    return ReminderTiming(
        remind_at=settings.remind_at,
        quiet=QuietHours(starts=settings.quiet_starts, ends=settings.quiet_ends),
        paused=settings.paused,
        paused_until=settings.paused_until,
    )


def own_reminder_settings(reader: User, patient: Patient) -> tuple[ReminderSettings, bool]:
    """The patient's settings (or the defaults) and whether they chose them; NotFound for
    anyone but the patient themself."""
    if patient.user_id is None or reader.id != patient.user_id:
        raise NotFound("patient")
    row = ReminderPreference.objects.filter(service_id=patient.service_id, patient=patient).first()
    return (_settings(row), True) if row else (DEFAULT_SETTINGS, False)


def reminder_settings_for_system(
    patient_ids: list[uuid.UUID],
) -> dict[uuid.UUID, ReminderSettings]:
    """For the reminder job (no reader): each patient's settings; absent = DEFAULT_SETTINGS."""
    rows = ReminderPreference.objects.filter(patient_id__in=patient_ids)
    return {row.patient_id: _settings(row) for row in rows}


def send_time_of(settings: ReminderSettings) -> time:
    """When reminders actually go (the chosen time, moved past quiet hours)."""
    return timing_of(settings).send_time
