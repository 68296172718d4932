"""Writes of a patient's measurement plan: the default plan (stored on first need, or by the
worker job for patients who can sign in) and a care-team change of one item. Audited."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import (
    open_episode,
    patients_who_can_sign_in_for_system,
    require_write,
)
from careloop.core import clock
from careloop.core.errors import InvalidInput, PermissionDenied
from careloop.monitoring.models import MeasurementPlan, PlanItem
from careloop.monitoring.schedule import Cadence, InvalidCadence, local_date
from careloop.monitoring.selectors import (
    active_plan_of,
    default_plan_cadences,
    default_starts_on,
    measure_info,
    patient_time_zone,
)

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

BATCH_SIZE = 100
ADOPTION_REST_SECONDS = 60.0


def _create_default_plan(patient: Patient, actor: User | None) -> MeasurementPlan:
    now = clock.now()
    plan = MeasurementPlan.objects.create(
        service_id=patient.service_id,
        patient=patient,
        episode=open_episode(patient),
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
        action=AuditAction.MEASUREMENT_PLAN_CREATED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=PurposeOfUse.TREAT,
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
            action=AuditAction.MEASUREMENT_PLAN_ITEM_CHANGED,
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=PurposeOfUse.TREAT,
            obj=("PlanItem", item.id),
            detail={"measure": measure, "before": before, "after": _item_values(item)},
        )
    return item


def ensure_default_plans(limit: int = BATCH_SIZE) -> int:
    """Store the default plan for up to `limit` patients who can sign in and have no plan yet.

    Reminders are driven by stored plans (the plan table is the reminder job's queue); patients
    without a login keep the identical default plan computed on the fly by the selectors.
    """
    without_plan = patients_who_can_sign_in_for_system().exclude(
        Exists(MeasurementPlan.objects.filter(patient_id=OuterRef("pk"), active=True))
    )
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
