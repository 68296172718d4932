"""Reads for monitoring: the caseload registry and each patient's measurement schedule.

Patients always come from care.selectors (access built in); everything here takes a patient the
reader may already see, or a set of them, and reads in a constant number of queries.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from careloop.accounts.models import User
from careloop.assessments.models import Assessment
from careloop.care.models import Patient, TreatmentEpisode
from careloop.care.selectors import patients_visible_to, stream_visible
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.instruments.library import UnknownInstrument, get_instrument
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
from careloop.privacy.policy import DataStream
from careloop.safety.models import OPEN_STATUSES, Alert

log = logging.getLogger(__name__)

REGISTRY_INSTRUMENTS = ("phq9", "gad7")
# The registry flags a measure missed this many windows running (a Careloop default that makes
# one missed week a nudge, two a conversation; not a clinical threshold).
MISSED_IN_A_ROW_FLAG = 2
PatientIds = Iterable[uuid.UUID] | QuerySet[Any]


# --- What a measure is -------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureInfo:
    measure: str
    title: str
    label: str  # short name for tables: "PHQ-9"
    available: bool
    unavailable_reason: str

    @property
    def answer_path(self) -> str:
        """Where the patient completes it."""
        if self.measure == CHECKIN:
            return reverse("monitoring:checkin")
        return reverse("assessments:answer", args=[self.measure])


_SHORT_NAME = re.compile(r"\(([^()]+)\)$")


def measure_info(measure: str) -> MeasureInfo | None:
    """The check-in or an instrument from the library (disabled ones marked); None if unknown."""
    if measure == CHECKIN:
        return MeasureInfo(CHECKIN, _("Mood check-in"), _("Mood check-in"), True, "")
    try:
        instrument = get_instrument(measure)
    except UnknownInstrument:
        return None
    short = _SHORT_NAME.search(instrument.title)
    return MeasureInfo(
        measure=measure,
        title=instrument.title,
        label=short.group(1) if short else instrument.title,
        available=instrument.enabled,
        unavailable_reason="" if instrument.enabled else (instrument.disabled_reason or ""),
    )


def _info_or_missing(measure: str) -> MeasureInfo:
    info = measure_info(measure)
    if info is None:  # a stored item whose instrument left the library: shown, never scheduled
        return MeasureInfo(measure, measure, measure, False, "not in the instrument library")
    return info


def default_plan_cadences() -> list[tuple[Cadence, MeasureInfo]]:
    """Every measure of the default plan with its availability (disabled instruments marked)."""
    return [(cadence, _info_or_missing(cadence.measure)) for cadence in DEFAULT_PLAN]


# --- A patient's plan --------------------------------------------------------------------------


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
        info=_info_or_missing(item.measure),
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


def _planned_by_patient(
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
    """The latest submission of each measure for each patient (two grouped queries)."""
    latest: dict[tuple[uuid.UUID, str], datetime] = {}
    services = set(service_ids)
    assessments = (
        Assessment.objects.filter(service_id__in=services, patient_id__in=patient_ids)
        # An incomplete response (kept for its risk answer) is not a completion: the measure
        # stays due, so the patient is still asked to finish it (docs/api/answers.md).
        .exclude(status="incomplete")
        .values("patient_id", "instrument_id")
        .annotate(last=Max("completed_at"))
    )
    for row in assessments:
        latest[(row["patient_id"], row["instrument_id"])] = row["last"]
    checkins = (
        CheckIn.objects.filter(service_id__in=services, patient_id__in=patient_ids)
        .values("patient_id")
        .annotate(last=Max("completed_at"))
    )
    for checkin in checkins:
        latest[(checkin["patient_id"], CHECKIN)] = checkin["last"]
    return latest


def in_care_ids(patient_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Who is still in care: an ongoing episode, or no episode recorded yet (one query).

    After discharge nothing is due and nothing is missed: the registry must not chase people
    who finished or left treatment (reminders follow the same rule).
    """
    episodes: dict[uuid.UUID, set[str]] = {}
    rows = TreatmentEpisode.objects.filter(patient_id__in=patient_ids)
    for patient_id, ending in rows.values_list("patient_id", "ending"):
        episodes.setdefault(patient_id, set()).add(ending)
    return {
        patient_id
        for patient_id in patient_ids
        if patient_id not in episodes or EpisodeEnding.ONGOING in episodes[patient_id]
    }


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
    planned = _planned_by_patient([patient], [patient.id])[patient.id]
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


def skipped_default_measures() -> list[MeasureInfo]:
    """Default-plan measures left out because the instrument library has them disabled."""
    return [info for _cadence, info in default_plan_cadences() if not info.available]


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


# --- The caseload registry ---------------------------------------------------------------------


def _score(instrument_id: str, *, first: bool, episode_only: bool = False) -> Subquery:
    rows = Assessment.objects.filter(
        service_id=OuterRef("service_id"), patient_id=OuterRef("pk"), instrument_id=instrument_id
    ).exclude(score_total=None)  # an incomplete response (kept for its risk answer) has no score
    if episode_only:
        rows = rows.filter(episode_id=OuterRef("current_episode_id"))
    order = "completed_at" if first else "-completed_at"
    return Subquery(rows.order_by(order).values("score_total")[:1])


def _open_alert_count() -> Coalesce:
    """A correlated count, not a join: joining alerts would make PostgreSQL group by every
    annotation and evaluate each score subquery again per group (1.1 s -> 25 ms, 53 patients)."""
    open_alerts = (
        Alert.objects.filter(
            service_id=OuterRef("service_id"), patient_id=OuterRef("pk"), status__in=OPEN_STATUSES
        )
        .order_by()
        .values("patient_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    return Coalesce(Subquery(open_alerts[:1], output_field=IntegerField()), 0)


def caseload_for(user: User) -> QuerySet[Patient]:
    """The user's visible patients annotated for the registry (unordered; see caseload_rows).

    Baseline is the first score of the current treatment episode (the first ever if the patient
    has no episode); latest is the most recent score. One query, whatever the caseload size.
    The `raw_*` scores are not yet filtered by consent: `questionnaires_shared` says whether the
    team may see them, and caseload_rows withholds them otherwise. The consent test is one
    annotation rather than a condition inside each score's annotation, because PostgreSQL runs
    such a subquery once per copy (4 copies cost 2 s at 100k patients).
    """
    current_episode = TreatmentEpisode.objects.filter(
        service_id=OuterRef("service_id"), patient_id=OuterRef("pk")
    ).order_by("-started_on")
    # Scores only of patients who share questionnaires with the team (privacy.policy); the
    # completion dates still count, so a withdrawn stream is not chased as missed.
    shared = patients_visible_to(user, stream=DataStream.QUESTIONNAIRES).values("id")
    rows = patients_visible_to(user).annotate(
        current_episode_id=Subquery(current_episode.values("id")[:1]),
        current_episode_ending=Subquery(current_episode.values("ending")[:1]),
        last_submission_at=Subquery(
            Assessment.objects.filter(service_id=OuterRef("service_id"), patient_id=OuterRef("pk"))
            .order_by("-completed_at")
            .values("completed_at")[:1]
        ),
        open_alerts=_open_alert_count(),
        questionnaires_shared=Case(
            When(pk__in=shared, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )
    for instrument_id in REGISTRY_INSTRUMENTS:
        rows = rows.annotate(
            **{
                f"raw_{instrument_id}_baseline": Coalesce(
                    _score(instrument_id, first=True, episode_only=True),
                    _score(instrument_id, first=True),
                ),
                f"raw_{instrument_id}_latest": _score(instrument_id, first=False),
            }
        )
    return rows.select_related("care_team")


def _shared_score(patient: Patient, name: str) -> float | None:
    """A registry score, or None when the patient does not share questionnaires with the team."""
    if not patient.questionnaires_shared:  # type: ignore[attr-defined]  # annotation
        return None
    value: float | None = getattr(patient, f"raw_{name}")
    return value


def _most_worrying_first(row: CaseloadRow) -> tuple[int, bool, bool, float, str]:
    """Open alerts first, then people in care before the discharged, then the highest latest
    PHQ-9 (none shown: after those with one)."""
    latest = row.phq9_latest
    return (
        -row.open_alerts,
        not row.in_care,
        latest is None,
        -(latest or 0.0),
        row.patient.display_name,
    )


@dataclass(frozen=True)
class CaseloadRow:
    """One registry line, with change computed once here rather than in templates."""

    patient: Patient
    phq9_baseline: float | None
    phq9_latest: float | None
    gad7_baseline: float | None
    gad7_latest: float | None
    last_submission_at: datetime | None
    open_alerts: int
    overdue: tuple[str, ...] = ()  # labels of overdue measures
    missed_in_a_row: int = 0  # the longest current run of missed windows, over all measures
    missed_measure: str = ""  # the label of the measure with that run
    in_care: bool = True  # False after discharge: nothing is due or missed any more

    @property
    def phq9_change(self) -> float | None:
        return _change(self.phq9_baseline, self.phq9_latest)

    @property
    def gad7_change(self) -> float | None:
        return _change(self.gad7_baseline, self.gad7_latest)

    @property
    def is_missed_flagged(self) -> bool:
        return self.missed_in_a_row >= MISSED_IN_A_ROW_FLAG


def _change(baseline: float | None, latest: float | None) -> float | None:
    return None if baseline is None or latest is None else latest - baseline


@dataclass(frozen=True)
class _Adherence:
    overdue: tuple[str, ...]
    missed_in_a_row: int
    missed_measure: str


def _adherence(entries: list[ScheduleEntry]) -> _Adherence:
    scheduled = [(e.planned.info.label, e.status) for e in entries if e.status is not None]
    overdue = tuple(label for label, s in scheduled if s.state == DueState.OVERDUE)
    worst = max(scheduled, key=lambda pair: pair[1].missed_in_a_row, default=None)
    if worst is None or worst[1].missed_in_a_row == 0:
        return _Adherence(overdue, 0, "")
    return _Adherence(overdue, worst[1].missed_in_a_row, worst[0])


def caseload_rows(user: User, now: datetime | None = None) -> list[CaseloadRow]:
    """The registry: scores, alerts, overdue measures and missed-in-a-row runs.

    Five queries whatever the caseload size: the annotated patients, their plans and plan items,
    and the latest questionnaire and check-in of each.
    """
    now = now or clock.now()
    patients = list(caseload_for(user))
    if not patients:
        return []
    # The ids just read, not the visibility subquery again: PostgreSQL would re-evaluate it for
    # the whole team inside each grouped read (about 100 ms a query at 30k patients), while an
    # id list walks the (service, patient, instrument, completed_at) index per patient.
    patient_ids = [p.id for p in patients]
    planned = _planned_by_patient(patients, patient_ids)
    latest = last_completions(patient_ids, service_ids={p.service_id for p in patients})
    # In care: no episode recorded yet, or the current one is ongoing (same rule as in_care_ids,
    # read from the registry's own query rather than one more).
    in_care = {
        p.id
        for p in patients
        if p.current_episode_ending in (None, EpisodeEnding.ONGOING)  # type: ignore[attr-defined]
    }
    rows = []
    for p in patients:
        entries = schedule_entries(p, planned[p.id], latest, now, in_care=p.id in in_care)
        adherence = _adherence(entries)
        rows.append(
            CaseloadRow(
                patient=p,
                phq9_baseline=_shared_score(p, "phq9_baseline"),
                phq9_latest=_shared_score(p, "phq9_latest"),
                gad7_baseline=_shared_score(p, "gad7_baseline"),
                gad7_latest=_shared_score(p, "gad7_latest"),
                last_submission_at=p.last_submission_at,  # type: ignore[attr-defined]
                open_alerts=p.open_alerts,  # type: ignore[attr-defined]
                overdue=adherence.overdue,
                missed_in_a_row=adherence.missed_in_a_row,
                missed_measure=adherence.missed_measure,
                in_care=p.id in in_care,
            )
        )
    return sorted(rows, key=_most_worrying_first)
