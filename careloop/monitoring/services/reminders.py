"""Worker job: queue measurement reminders for plans whose check time has come."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse

from careloop.accounts.types import Role
from careloop.care.selectors import in_care_ids
from careloop.core import clock
from careloop.monitoring.models import MeasurementPlan
from careloop.monitoring.schedule import ReminderTiming, next_reminder_check, reminder_window
from careloop.monitoring.selectors import (
    DEFAULT_SETTINGS,
    last_completions,
    patient_time_zone,
    planned_for_plan,
    reminder_settings_for_system,
    timing_of,
)
from careloop.monitoring.services.plans import BATCH_SIZE
from careloop.monitoring.types import ReminderChannel
from careloop.notifications.selectors import users_with_web_push
from careloop.notifications.services import queue_notification
from careloop.notifications.types import Channel

if TYPE_CHECKING:
    from careloop.care.models import Patient


def _reachable_patient_ids(plans: list[MeasurementPlan]) -> set[uuid.UUID]:
    """Patients a reminder may go to: an active patient login, and still in care (an ongoing
    episode, or no episode recorded yet). Nobody is reminded after discharge."""
    in_care = in_care_ids([plan.patient_id for plan in plans])
    return {
        plan.patient_id
        for plan in plans
        if plan.patient_id in in_care
        and (user := plan.patient.user) is not None
        and user.is_active
        and user.role == Role.PATIENT
    }


def _window_to_remind(
    plan: MeasurementPlan,
    latest: dict[tuple[uuid.UUID, str], datetime],
    now: datetime,
    timing: ReminderTiming,
) -> str | None:
    """The latest due window with a reminder due now, as its opening day (ISO), or None: none
    while paused, in quiet hours or before the patient's time of day (their own settings)."""
    zone = patient_time_zone(plan.patient)
    if not timing.allows(now, zone):
        return None
    windows = []
    for planned in planned_for_plan(plan):
        if not (planned.is_scheduled and planned.reminder_enabled):
            continue
        last = latest.get((plan.patient_id, planned.info.measure))
        opens_on = reminder_window(
            planned.cadence, last, now, zone, starts_on=planned.starts_on, quiet=timing.quiet
        )
        if opens_on is not None:
            windows.append(opens_on)
    return max(windows).isoformat() if windows else None


def channels_for(
    chosen: ReminderChannel | None, *, has_email: bool, has_push: bool
) -> list[Channel]:
    """In Careloop always (the home page's due list), plus the patient's chosen channel when
    they can be reached on it; without an e-mail address or a browser subscription the reminder
    stays in Careloop only (the Reminders page says so). A patient who never chose (None) gets
    every channel they can be reached on, as before the choice existed."""
    channels = [Channel.IN_APP]
    if chosen is None:
        channels += [Channel.EMAIL] if has_email else []
        channels += [Channel.WEB_PUSH] if has_push else []
    elif chosen == ReminderChannel.EMAIL and has_email:
        channels.append(Channel.EMAIL)
    elif chosen == ReminderChannel.WEB_PUSH and has_push:
        channels.append(Channel.WEB_PUSH)
    return channels


def _queue_reminder(patient: Patient, window: str, channels: list[Channel]) -> None:
    user = patient.user
    assert user is not None  # only reachable patients get here
    link = reverse("home")
    for channel in channels:
        queue_notification(
            recipient=user,
            channel=channel,
            # Nothing clinical, no instrument names: a lock screen or shared inbox may show it.
            subject="Careloop: a reminder",
            body=f"You have something to fill in on Careloop. Sign in to see what is due: {link}",
            link_path=link,
            idempotency_key=f"reminder:{patient.id}:{window}:{channel}",
        )


def send_due_reminders() -> int:
    """Worker job: queue reminders for plans whose check time has come; return plans handled.

    1. Lock a batch of active plans due a check, skipping rows another worker holds.
    2. For each patient still in care with a login, find the latest due window whose reminder
       is due now, on the patient's clock, with the patient's own settings (ReminderPreference,
       else the defaults): not paused, outside their quiet hours, once their time of day has
       come (schedule.ReminderTiming, schedule.reminder_window).
    3. Queue one reminder in Careloop and one on the chosen channel when the patient can be
       reached on it; the idempotency key holds the window, so a window is reminded once
       however often the plan is checked.
    4. Set each plan's next check to the next local midnight or reminder time.
    """
    now = clock.now()
    with transaction.atomic():
        plans = list(
            MeasurementPlan.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("patient__user")
            .filter(active=True, next_reminder_at__lte=now)
            .order_by("next_reminder_at")[:BATCH_SIZE]
        )
        if not plans:
            return 0
        prefetch_related_objects(plans, "items")
        latest = last_completions(
            [p.patient_id for p in plans], service_ids={p.service_id for p in plans}
        )
        reachable = _reachable_patient_ids(plans)
        push_users = users_with_web_push(
            [user_id for p in plans if p.patient_id in reachable and (user_id := p.patient.user_id)]
        )
        chosen = reminder_settings_for_system([p.patient_id for p in plans])
        for plan in plans:
            own = chosen.get(plan.patient_id)
            timing = timing_of(own or DEFAULT_SETTINGS)
            window = (
                _window_to_remind(plan, latest, now, timing)
                if plan.patient_id in reachable
                else None
            )
            if window is not None:
                user = plan.patient.user
                assert user is not None  # only reachable patients get here
                channels = channels_for(
                    own.channel if own else None,
                    has_email=bool(user.email),
                    has_push=user.id in push_users,
                )
                _queue_reminder(plan.patient, window, channels)
            plan.next_reminder_at = next_reminder_check(
                now, patient_time_zone(plan.patient), timing
            )
        MeasurementPlan.objects.bulk_update(plans, ["next_reminder_at"])
    return len(plans)
