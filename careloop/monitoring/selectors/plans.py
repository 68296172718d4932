"""A patient's measurement plan and schedule: what is planned, what is due, what was missed.

Patients always come from care.selectors (access built in); everything here takes a patient the
reader may already see, or a set of them, and reads in a constant number of queries.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Max, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from careloop.assessments.selectors import latest_completion_times
from careloop.care.selectors import in_care_ids, patients_visible_to, stream_visible
from careloop.monitoring.models import CheckIn, MeasurementPlan, PlanItem
from careloop.monitoring.schedule import (
    CHECKIN,
    DEFAULT_PLAN,
    Cadence,
    DueState,
    DueStatus,
    due_status,
    local_date,
    zone_of,
)
from careloop.monitoring.selectors.measures import (
    MeasureInfo,
    default_plan_cadences,
    info_or_missing,
)
from careloop.privacy.policy import DataStream

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

log = logging.getLogger(__name__)

PatientIds = Iterable[uuid.UUID] | QuerySet[Any]


@dataclass(frozen=True)
class PlannedMeasure:
    info: MeasureInfo
    cadence: Cadence
    starts_on: date
    reminder_enabled: bool
    active: bool
    is_saved: bool  # False: the default plan, not yet stored for this patient

    @property
    def is_scheduled(self) -> bool:
        """Only active items of available measures are due, reminded or counted as missed."""
        return self.active and self.info.available


@dataclass(frozen=True)
class ScheduleEntry:
    planned: PlannedMeasure
    status: DueStatus | None  # None when the item is not scheduled

    @property
    def is_due_today_for_patient(self) -> bool:
        """A daily measure is simply due today: yesterday's cannot be made up, so it is never
        shown to the patient as overdue (the care team still sees the missed days)."""
        return (
            self.status is not None
            and self.status.is_outstanding
            and self.planned.cadence.every_days == 1
        )

    @property
    def shows_as_overdue(self) -> bool:
        return (
            self.status is not None
            and self.status.state == DueState.OVERDUE
            and not self.is_due_today_for_patient
        )


def patient_time_zone(patient: Patient) -> str:
    """The patient's zone, or UTC (logged) if the stored name is not a known zone."""
    try:
        zone_of(patient.time_zone)
    except ValueError:
        log.warning("patient %s has an unknown time zone; using UTC", patient.id)
        return "UTC"
    return patient.time_zone


def _planned_from_item(item: PlanItem) -> PlannedMeasure:
    return PlannedMeasure(
        info=info_or_missing(item.measure),
        cadence=Cadence(
            item.measure, item.every_days, item.overdue_after_days, item.remind_before_days
        ),
        starts_on=item.starts_on,
        reminder_enabled=item.reminder_enabled,
        active=item.active,
        is_saved=True,
    )


def default_starts_on(patient: Patient) -> date:
    """The default plan applies from the patient's registration day, on their calendar."""
    return local_date(patient.created_at, patient_time_zone(patient))


def _default_planned(
    patient: Patient, defaults: list[tuple[Cadence, MeasureInfo]]
) -> list[PlannedMeasure]:
    starts_on = default_starts_on(patient)
    return [
        PlannedMeasure(info, cadence, starts_on, True, True, is_saved=False)
        for cadence, info in defaults
        if info.available
    ]


_DEFAULT_ORDER = {cadence.measure: n for n, cadence in enumerate(DEFAULT_PLAN)}


def _display_order(planned: PlannedMeasure) -> tuple[int, int, str]:
    """Default-plan measures in the default plan's order, then others by cadence and name."""
    measure = planned.info.measure
    return (_DEFAULT_ORDER.get(measure, len(DEFAULT_PLAN)), planned.cadence.every_days, measure)


def planned_for_plan(plan: MeasurementPlan) -> list[PlannedMeasure]:
    """A stored plan's items (prefetch `items` when reading many plans)."""
    return sorted((_planned_from_item(item) for item in plan.items.all()), key=_display_order)


def active_plan_of(patient: Patient) -> MeasurementPlan | None:
    return (
        MeasurementPlan.objects.filter(service_id=patient.service_id, patient=patient, active=True)
        .prefetch_related("items")
        .first()
    )


def planned_by_patient(
    patients: list[Patient], patient_ids: PatientIds
) -> dict[uuid.UUID, list[PlannedMeasure]]:
    """Each patient's active plan, or the default plan if none is stored (two queries).

    `patient_ids` selects the same patients (a subquery for a caseload, so the SQL stays the same
    size however many patients there are).
    """
    plans = MeasurementPlan.objects.filter(
        service_id__in={p.service_id for p in patients}, patient_id__in=patient_ids, active=True
    ).prefetch_related("items")
    stored = {plan.patient_id: planned_for_plan(plan) for plan in plans}
    defaults = default_plan_cadences()  # once per call, not once per patient
    return {
        p.id: stored[p.id] if p.id in stored else _default_planned(p, defaults) for p in patients
    }


def last_completions(
    patient_ids: PatientIds, *, service_ids: Iterable[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], datetime]:
    """The latest submission of each measure for each patient (two grouped queries): completed
    questionnaires (assessments.selectors) and mood check-ins."""
    services = set(service_ids)
    latest = latest_completion_times(patient_ids, service_ids=services)
    checkins = (
        CheckIn.objects.filter(service_id__in=services, patient_id__in=patient_ids)
        .values("patient_id")
        .annotate(last=Max("completed_at"))
    )
    for checkin in checkins:
        latest[(checkin["patient_id"], CHECKIN)] = checkin["last"]
    return latest


def schedule_entries(
    patient: Patient,
    planned: list[PlannedMeasure],
    latest: dict[tuple[uuid.UUID, str], datetime],
    now: datetime,
    *,
    in_care: bool = True,
) -> list[ScheduleEntry]:
    zone = patient_time_zone(patient)
    entries = []
    for item in planned:
        status = None
        if item.is_scheduled and in_care:
            last = latest.get((patient.id, item.info.measure))
            status = due_status(item.cadence, last, now, zone, starts_on=item.starts_on)
        entries.append(ScheduleEntry(item, status))
    return entries


def plan_overview_for(patient: Patient, now: datetime) -> list[ScheduleEntry]:
    """Every item of a visible patient's plan (stored or default) with its state if scheduled."""
    planned = planned_by_patient([patient], [patient.id])[patient.id]
    latest = last_completions([patient.id], service_ids=[patient.service_id])
    in_care = patient.id in in_care_ids([patient.id])
    return schedule_entries(patient, planned, latest, now, in_care=in_care)


def schedule_for(patient: Patient, now: datetime) -> list[ScheduleEntry]:
    """What a visible patient is asked to complete: scheduled items only, most urgent first."""
    urgency = {DueState.OVERDUE: 0, DueState.DUE: 1, DueState.NOT_DUE: 2}
    ranked = [
        ((urgency[entry.status.state], entry.status.due_on), entry)
        for entry in plan_overview_for(patient, now)
        if entry.status is not None
    ]
    return [entry for _rank, entry in sorted(ranked, key=lambda pair: pair[0])]


def due_sentence(entry: ScheduleEntry, today: date) -> str:
    """What is due, in plain language for the patient (no scores, no judgement)."""
    status, title = entry.status, entry.planned.info.title
    if status is None:
        return ""
    day = date_format(status.due_on, "l j F")
    if status.state == DueState.NOT_DUE:
        return _("%(title)s: next due on %(day)s.") % {"title": title, "day": day}
    if entry.is_due_today_for_patient or (status.state == DueState.DUE and status.due_on == today):
        return _("%(title)s is due today.") % {"title": title}
    if status.state == DueState.DUE:
        return _("%(title)s is due now (since %(day)s).") % {"title": title, "day": day}
    return _("%(title)s was due on %(day)s. You can still do it now.") % {
        "title": title,
        "day": day,
    }


def checkins_of(patient: Patient) -> QuerySet[CheckIn]:
    """A visible patient's mood check-ins, newest first. `patient` must come from a selector.

    None if the reader may not see check-ins (the patient withdrew them from their care).
    """
    if not stream_visible(patient, DataStream.CHECKINS):
        return CheckIn.objects.none()
    return CheckIn.objects.filter(service_id=patient.service_id, patient=patient).order_by(
        "-completed_at"
    )


def measurement_plans_visible_to(user: User) -> QuerySet[MeasurementPlan]:
    """Stored measurement plans of every patient whose questionnaire stream `user` may read
    (the patient, their care team); nothing outside a service (fails closed)."""
    if not user.is_authenticated or user.service_id is None:
        return MeasurementPlan.objects.none()
    return MeasurementPlan.objects.filter(
        service_id=user.service_id,
        patient__in=patients_visible_to(user, stream=DataStream.QUESTIONNAIRES),
    )
