"""Writes of monitoring: measurement plans, mood check-ins, and the two worker jobs that store
default plans and queue reminders. Every write is one transaction and audited."""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, prefetch_related_objects
from django.urls import reverse

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.assessments.types import SubmissionSource
from careloop.audit.services import record_event, record_patient_reads
from careloop.audit.types import AuditAction, Purpose
from careloop.care.models import Patient, TreatmentEpisode
from careloop.care.selectors import require_write
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, PermissionDenied
from careloop.core.text import clean_free_text
from careloop.monitoring.models import CheckIn, MeasurementPlan, PlanItem
from careloop.monitoring.schedule import (
    Cadence,
    InvalidCadence,
    local_date,
    next_reminder_check,
    reminder_window,
)
from careloop.monitoring.selectors import (
    CaseloadRow,
    active_plan_of,
    default_plan_cadences,
    default_starts_on,
    in_care_ids,
    last_completions,
    measure_info,
    patient_time_zone,
    planned_for_plan,
)
from careloop.notifications.models import PushSubscription
from careloop.notifications.services import queue_notification
from careloop.notifications.types import Channel
from careloop.safety.services.screening import raise_alert_if_at_risk, screen_patient_text
from careloop.safety.text import TextScreen


class MonitoringAuditAction(models.TextChoices):
    """What monitoring writes to the audit trail (audit accepts any domain's dotted codes)."""

    PLAN_CREATED = "measurement_plan.created"
    PLAN_ITEM_CHANGED = "measurement_plan.item_changed"
    CHECKIN_SUBMITTED = "checkin.submitted"


PLAN_CREATED = MonitoringAuditAction.PLAN_CREATED
PLAN_ITEM_CHANGED = MonitoringAuditAction.PLAN_ITEM_CHANGED
CHECKIN_SUBMITTED = MonitoringAuditAction.CHECKIN_SUBMITTED

MOOD_MIN, MOOD_MAX = 0, 10
MAX_NOTE_CHARS = 500
# An offline phone's clock may run a little fast; "completed in the future" beyond this is refused.
MAX_CLOCK_SKEW = timedelta(minutes=5)
BATCH_SIZE = 100
ADOPTION_REST_SECONDS = 60.0


def _open_episode(patient: Patient) -> TreatmentEpisode | None:
    return (
        TreatmentEpisode.objects.filter(
            service_id=patient.service_id, patient=patient, ending=EpisodeEnding.ONGOING
        )
        .order_by("-started_on")
        .first()
    )


# --- Plans -------------------------------------------------------------------------------------


def _create_default_plan(patient: Patient, actor: User | None) -> MeasurementPlan:
    now = clock.now()
    plan = MeasurementPlan.objects.create(
        service_id=patient.service_id,
        patient=patient,
        episode=_open_episode(patient),
        created_at=now,
        next_reminder_at=now,
    )
    starts_on = default_starts_on(patient)
    included = [(c, info) for c, info in default_plan_cadences() if info.available]
    PlanItem.objects.bulk_create(
        PlanItem(
            service_id=patient.service_id,
            plan=plan,
            measure=cadence.measure,
            every_days=cadence.every_days,
            overdue_after_days=cadence.overdue_after_days,
            remind_before_days=cadence.remind_before_days,
            starts_on=starts_on,
            updated_at=now,
        )
        for cadence, _info in included
    )
    record_event(
        actor=actor,
        action=PLAN_CREATED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=Purpose.TREATMENT,
        obj=("MeasurementPlan", plan.id),
        detail={
            "measures": [cadence.measure for cadence, _info in included],
            "skipped_unavailable": [
                c.measure for c, info in default_plan_cadences() if not info.available
            ],
        },
    )
    return plan


def ensure_default_plan(patient: Patient, *, actor: User | None) -> MeasurementPlan:
    """The patient's active plan; if there is none, store the default plan (audited) and return it.

    Instruments the library has disabled (WHO-5 today: its item text is label-only) are left
    out and named in the audit detail; they can be added once the library enables them.
    `actor` None means the system (the worker job below).
    """
    plan = active_plan_of(patient)
    if plan is not None:
        return plan
    try:
        with transaction.atomic():
            return _create_default_plan(patient, actor)
    except IntegrityError:
        # Another request or worker stored it first (one active plan per patient): use theirs.
        plan = active_plan_of(patient)
        if plan is None:
            raise
        return plan


@dataclass(frozen=True)
class PlanItemChange:
    every_days: int
    overdue_after_days: int
    remind_before_days: int = 0
    reminder_enabled: bool = True
    active: bool = True


def _validated_cadence(measure: str, change: PlanItemChange) -> Cadence:
    info = measure_info(measure)
    if info is None:
        raise InvalidInput(f"unknown measure {measure!r}: use an instrument id or 'checkin'")
    if change.active and not info.available:
        raise InvalidInput(f"{info.title} is not available: {info.unavailable_reason}")
    try:
        return Cadence(
            measure, change.every_days, change.overdue_after_days, change.remind_before_days
        )
    except InvalidCadence as problem:
        raise InvalidInput(str(problem)) from None


def _item_values(item: PlanItem) -> dict[str, object]:
    return {
        "every_days": item.every_days,
        "overdue_after_days": item.overdue_after_days,
        "remind_before_days": item.remind_before_days,
        "reminder_enabled": item.reminder_enabled,
        "active": item.active,
    }


def change_plan_item(
    patient: Patient, *, actor: User, measure: str, change: PlanItemChange
) -> PlanItem:
    """Set one measure's cadence in a patient's plan, adding it if absent; audited.

    1. Only the care team changes plans (a patient may see theirs, not change it).
    2. Validate before writing: a known measure, available unless being switched off, and a
       cadence the schedule can run.
    3. Store the default plan first if there is none, lock it, update or add the item, and ask
       the reminder job to look at the plan again now (a shorter cadence may make one due).
    """
    if not actor.works_in_care_team:
        raise PermissionDenied("only the care team can change a measurement plan")
    require_write(actor, patient)  # the patient's own team; never emergency access
    _validated_cadence(measure, change)
    with transaction.atomic():
        stored = ensure_default_plan(patient, actor=actor)
        plan = MeasurementPlan.objects.select_for_update().get(pk=stored.pk)
        now = clock.now()
        today = local_date(now, patient_time_zone(patient))
        existing = plan.items.filter(measure=measure).first()
        before = _item_values(existing) if existing is not None else None
        item = existing or PlanItem(service_id=patient.service_id, plan=plan, measure=measure)
        if existing is None or (change.active and not existing.active):
            item.starts_on = today  # new or resumed today: paused weeks are not "missed"
        for field, value in asdict(change).items():
            setattr(item, field, value)
        item.updated_at = now
        item.save()
        plan.next_reminder_at = now
        plan.save(update_fields=["next_reminder_at"])
        record_event(
            actor=actor,
            action=PLAN_ITEM_CHANGED,
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=Purpose.TREATMENT,
            obj=("PlanItem", item.id),
            detail={"measure": measure, "before": before, "after": _item_values(item)},
        )
    return item


# --- Mood check-ins ----------------------------------------------------------------------------


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
    earlier = CheckIn.objects.filter(
        service_id=patient.service_id, patient=patient, client_id=client_id
    ).first()
    if earlier is not None and (earlier.mood, earlier.note) != (mood, note):
        raise Conflict("this client id was already used for a different check-in")
    return earlier


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
        action=CHECKIN_SUBMITTED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=Purpose.SELF_ACCESS if actor.id == patient.user_id else Purpose.TREATMENT,
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


# --- Worker jobs -------------------------------------------------------------------------------


def ensure_default_plans(limit: int = BATCH_SIZE) -> int:
    """Store the default plan for up to `limit` patients who can sign in and have no plan yet.

    Reminders are driven by stored plans (the plan table is the reminder job's queue); patients
    without a login keep the identical default plan computed on the fly by the selectors.
    """
    without_plan = Patient.objects.filter(
        user__isnull=False, user__is_active=True, user__role=Role.PATIENT
    ).exclude(Exists(MeasurementPlan.objects.filter(patient_id=OuterRef("pk"), active=True)))
    patients = list(without_plan.order_by("id")[:limit])
    for patient in patients:
        ensure_default_plan(patient, actor=None)
    return len(patients)


_adoption = {"rest_until": 0.0}


def ensure_default_plans_job() -> int:
    """Worker job: as ensure_default_plans, resting a minute after a scan that emptied the
    backlog, so a fully planned population is not rescanned on every tick."""
    if time.monotonic() < _adoption["rest_until"]:
        return 0
    stored = ensure_default_plans()
    if stored < BATCH_SIZE:
        _adoption["rest_until"] = time.monotonic() + ADOPTION_REST_SECONDS
    return stored


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
    plan: MeasurementPlan, latest: dict[tuple[uuid.UUID, str], datetime], now: datetime
) -> str | None:
    """The latest due window with a reminder due now, as its opening day (ISO), or None."""
    zone = patient_time_zone(plan.patient)
    windows = []
    for planned in planned_for_plan(plan):
        if not (planned.is_scheduled and planned.reminder_enabled):
            continue
        last = latest.get((plan.patient_id, planned.info.measure))
        opens_on = reminder_window(planned.cadence, last, now, zone, starts_on=planned.starts_on)
        if opens_on is not None:
            windows.append(opens_on)
    return max(windows).isoformat() if windows else None


def _queue_reminder(patient: Patient, window: str, *, web_push: bool) -> None:
    user = patient.user
    assert user is not None  # only reachable patients get here
    channels = [Channel.IN_APP]
    if user.email:
        channels.append(Channel.EMAIL)
    if web_push:
        channels.append(Channel.WEB_PUSH)
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
       is due now, on the patient's clock and outside quiet hours (schedule.reminder_window).
    3. Queue one reminder per channel for that window; the idempotency key holds the window, so
       a window is reminded once however often the plan is checked.
    4. Set each plan's next check to the next local midnight or end of quiet hours.
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
        push_users = set(
            PushSubscription.objects.filter(
                user_id__in=[p.patient.user_id for p in plans if p.patient_id in reachable]
            ).values_list("user_id", flat=True)
        )
        for plan in plans:
            window = _window_to_remind(plan, latest, now) if plan.patient_id in reachable else None
            if window is not None:
                _queue_reminder(plan.patient, window, web_push=plan.patient.user_id in push_users)
            plan.next_reminder_at = next_reminder_check(now, patient_time_zone(plan.patient))
        MeasurementPlan.objects.bulk_update(plans, ["next_reminder_at"])
    return len(plans)


def record_caseload_viewed(
    user: User, rows: list[CaseloadRow], *, source_ip: str | None = None
) -> None:
    """Audit one read per patient the registry showed (the page and the API say the same)."""
    if rows and user.service_id is not None:
        record_patient_reads(
            actor=user,
            action=AuditAction.CASELOAD_VIEWED,
            service_id=user.service_id,
            patient_ids=[row.patient.id for row in rows],
            purpose=Purpose.TREATMENT,
            source_ip=source_ip,
        )
