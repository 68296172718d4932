"""The caseload registry: the reader's visible patients with scores, open alerts, overdue
measures and missed-in-a-row runs, who needs attention today first, filtered, searched and paged
in a constant number of queries (docs/workspace/registry.md).

The order ("needs attention today"):

1. open alerts;
2. in care and getting worse: reliable deterioration on PHQ-9 (≥ 6 points above baseline) or
   GAD-7 (≥ 4), or not on track: 10 weeks or more in treatment without PHQ-9 response or
   remission (the treat-to-target review, monitoring.outcomes.cocm);
3. in care with a measure overdue;
4. everyone else in care;
5. discharged or finished episodes (never chased as overdue).

Within each group the highest latest PHQ-9 comes first, then the name. One query reads the
reader's visible patients in name order; a stable sort in Python puts open alerts first, then
the latest PHQ-9 the team may see. Groups 2 to 5 are stable partitions of the other lines in
Python, one pass and no sort: "getting worse" compares several score annotations and
"discharged" reads the episode (in SQL each such condition copies its subqueries into the query
again: a query three times as long, slower to build and plan), and "overdue" depends on each
patient's own calendar (monitoring.schedule, in their time zone). Every visible line matching
the filters is read (the page needs the order and the total); the plans of the whole in-care
rest are read only when the page reaches past the alerts and "getting worse" (see
caseload_page).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from careloop.assessments.selectors import (
    patient_last_completion_expression,
    patient_last_submission_expression,
    patient_score_expression,
    recent_scores_of_patients,
)
from careloop.care.selectors import (
    CURRENT_STEP,
    patients_visible_per_stream,
    teams_of,
    with_care_team_staff,
    with_current_episode,
    with_current_step,
)
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.monitoring.models import CheckIn
from careloop.monitoring.outcomes.change import NHS_TT_CRITERIA
from careloop.monitoring.outcomes.cocm import (
    REMISSION_BELOW,
    RESPONSE_MIN_REDUCTION_PERCENT,
    REVIEW_FROM_WEEK,
)
from careloop.monitoring.plain_names import measure_name
from careloop.monitoring.schedule import CHECKIN, DEFAULT_PLAN, DueState
from careloop.monitoring.selectors.plans import (
    PlannedMeasure,
    ScheduleEntry,
    last_completions,
    planned_by_patient,
    schedule_entries,
)
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.safety.selectors import patient_open_alert_count_expression

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

REGISTRY_INSTRUMENTS = ("phq9", "gad7")
# The registry flags a measure missed this many windows running (a Careloop default that makes
# one missed week a nudge, two a conversation; not a clinical threshold).
MISSED_IN_A_ROW_FLAG = 2
# Lines per registry page (issue #13 asks for pagination; a care manager's caseload is 60-100).
REGISTRY_PAGE_SIZE = 50
# Scores a sparkline shows ("PHQ-9 last 6: 18, 16, 15, 12, 10, 9").
SPARKLINE_POINTS = 6
SEARCH_MAX_CHARS = 100


class Attention(enum.IntEnum):
    """Why a line is where it is in the registry (lower first)."""

    ALERT = 0
    WORSENING = 1
    OVERDUE = 2
    IN_CARE = 3
    DISCHARGED = 4


class StatusFilter(enum.StrEnum):
    """The registry's status filter (the form's values)."""

    ALERT = "alert"
    WORSENING = "worsening"
    OVERDUE = "overdue"
    IN_CARE = "in_care"
    DISCHARGED = "discharged"


_STATUS_VALUES = frozenset(status.value for status in StatusFilter)


@dataclass(frozen=True)
class RegistryFilters:
    """What the care manager narrowed the registry to; empty means everyone visible.

    Built from the query string by `from_query`: a value that is not valid is dropped (the
    registry shows everyone rather than an error), so a stale bookmark still opens.
    """

    team: uuid.UUID | None = None
    clinician: uuid.UUID | None = None
    step: int | None = None
    status: StatusFilter | None = None
    measure: str | None = None  # a registry instrument: patients with a score on it
    search: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> RegistryFilters:
        status = query.get("status") or ""
        measure = query.get("measure") or ""
        step = str(query.get("step") or "")
        return cls(
            team=_uuid_or_none(query.get("team")),
            clinician=_uuid_or_none(query.get("clinician")),
            step=int(step) if step.isdigit() and len(step) < 3 else None,
            status=StatusFilter(status) if status in _STATUS_VALUES else None,
            measure=measure if measure in REGISTRY_INSTRUMENTS else None,
            search=" ".join(str(query.get("q") or "").split())[:SEARCH_MAX_CHARS],
        )

    @property
    def is_empty(self) -> bool:
        return self == RegistryFilters()

    def as_query(self) -> dict[str, str]:
        """The non-empty filters as query-string pairs (page links keep them)."""
        pairs = {
            "team": str(self.team or ""),
            "clinician": str(self.clinician or ""),
            "step": str(self.step or ""),
            "status": str(self.status or ""),
            "measure": self.measure or "",
            "q": self.search,
        }
        return {key: value for key, value in pairs.items() if value}


def _uuid_or_none(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def caseload_for(user: User) -> QuerySet[Patient]:
    """The user's visible patients annotated for the registry (unordered; see caseload_rows).

    Baseline is the first score of the current treatment episode (the first ever if the patient
    has no episode); latest is the most recent score. One query, whatever the caseload size.
    The `raw_*` scores are not yet filtered by consent: `questionnaires_shared` says whether the
    team may see them, and caseload_rows withholds them otherwise. The consent test is one
    annotation rather than a condition inside each score's annotation, because PostgreSQL runs
    such a subquery once per copy (4 copies cost 2 s at 100k patients).
    """
    # Scores only of patients who share questionnaires with the team (privacy.policy); the
    # completion dates still count, so a withdrawn stream is not chased as missed.
    visible = patients_visible_per_stream(
        user, PurposeOfUse.TREAT, streams=(DataStream.PROFILE, DataStream.QUESTIONNAIRES)
    )
    shared = visible[DataStream.QUESTIONNAIRES].values("id")
    # Each domain annotates its own part: episodes (care), scores (assessments), alerts (safety).
    rows = with_current_episode(visible[DataStream.PROFILE]).annotate(
        last_submission_at=patient_last_submission_expression(),
        open_alerts=patient_open_alert_count_expression(),
        questionnaires_shared=Case(
            When(pk__in=shared, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )
    for instrument_id in REGISTRY_INSTRUMENTS:
        rows = rows.annotate(
            **{
                f"raw_{instrument_id}_baseline": Coalesce(
                    patient_score_expression(instrument_id, first=True, episode_only=True),
                    patient_score_expression(instrument_id, first=True),
                ),
                f"raw_{instrument_id}_latest": patient_score_expression(instrument_id, first=False),
            }
        )
    return rows.select_related("care_team")


# --- The order, in SQL -------------------------------------------------------------------------

_IN_CARE = Q(current_episode_ending__isnull=True) | Q(current_episode_ending=EpisodeEnding.ONGOING)


def _ranked_query(
    user: User, filters: RegistryFilters, teams: list[RegistryTeam] | None
) -> QuerySet[Patient]:
    """The filtered lines ordered by name, then id; `_lines` sorts them (stably) by open alerts
    first, then the highest latest PHQ-9 the team may see. No condition on annotations here:
    an annotation that names another copies its SQL (an "attention" CASE over the open-alert
    count and a PHQ-9 order over consent and the latest score ran three subqueries a second
    time per line and made the query slower to plan), and reliable change over the score
    annotations tripled the query's text; so every group is decided in Python from values the
    lines already carry. Name and id stay in SQL so names sort in the database's collation."""
    rows = _filtered(user, caseload_for(user), filters, teams)
    return rows.annotate(
        # When each default-plan measure was last done: one index probe per line, where a
        # grouped read of every completion of 200 patients cost several times more.
        **{_last_done(measure): _last_done_expression(measure) for measure in _DEFAULT_MEASURES},
    ).order_by("display_name", "id")


_DEFAULT_MEASURES = tuple(cadence.measure for cadence in DEFAULT_PLAN)


def _last_done(measure: str) -> str:
    return f"last_done_{measure}"


def _last_done_expression(measure: str) -> Subquery:
    if measure == CHECKIN:
        return Subquery(
            CheckIn.objects.filter(service_id=OuterRef("service_id"), patient_id=OuterRef("pk"))
            .order_by("-completed_at")
            .values("completed_at")[:1]
        )
    return patient_last_completion_expression(measure)


def _filtered(
    user: User,
    rows: QuerySet[Patient],
    filters: RegistryFilters,
    teams: list[RegistryTeam] | None,
) -> QuerySet[Patient]:
    if filters.team is not None:
        rows = rows.filter(care_team_id=filters.team)
    if filters.clinician is not None:
        clinician = str(filters.clinician)
        rows = rows.filter(
            care_team_id__in=[
                team.id
                for team in (registry_teams(user) if teams is None else teams)
                if any(member.value == clinician for member in team.staff)
            ]
        )
    if filters.step is not None:
        rows = with_current_step(rows).filter(**{CURRENT_STEP: filters.step})
    if filters.measure is not None:
        # Only scores the team may see: a hidden score must not let the filter find anyone.
        rows = rows.filter(
            Q(questionnaires_shared=True), **{f"raw_{filters.measure}_latest__isnull": False}
        )
    if filters.search:
        rows = rows.filter(_search_condition(filters.search))
    status = filters.status
    if status == StatusFilter.ALERT:
        rows = rows.filter(Q(open_alerts__gt=0))
    elif status == StatusFilter.DISCHARGED:
        rows = rows.exclude(_IN_CARE)
    elif status is not None:
        # In care; "worsening" and "overdue" are narrowed further once the lines are read.
        rows = rows.filter(_IN_CARE)
    return rows


def _search_condition(text: str) -> Q:
    """By name (any part), or by the patient's record id as the patient page's address shows it
    (the whole id, with or without hyphens)."""
    condition = Q(display_name__icontains=text)
    record_id = _uuid_or_none(text)
    if record_id is not None:
        condition |= Q(id=record_id)
    return condition


# --- Lines -------------------------------------------------------------------------------------


def _shared_score(patient: Patient, name: str) -> float | None:
    """A registry score, or None when the patient does not share questionnaires with the team."""
    if not patient.questionnaires_shared:  # type: ignore[attr-defined]  # annotation
        return None
    value: float | None = getattr(patient, f"raw_{name}")
    return value


@dataclass(frozen=True)
class Sparkline:
    """The last few scores of one measure, oldest first, for a tiny trend line."""

    instrument_id: str
    scores: tuple[float, ...]


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
    attention: Attention = Attention.IN_CARE
    episode_started_on: date | None = None
    sparklines: tuple[Sparkline, ...] = field(default=())
    today: date | None = None

    @cached_property
    def phq9_change(self) -> float | None:
        return _change(self.phq9_baseline, self.phq9_latest)

    @cached_property
    def gad7_change(self) -> float | None:
        return _change(self.gad7_baseline, self.gad7_latest)

    @property
    def score_columns(self) -> tuple[tuple[str, float | None, float | None, float | None], ...]:
        """(instrument, baseline, latest, change) for each registry instrument, for the table."""
        return (
            ("phq9", self.phq9_baseline, self.phq9_latest, self.phq9_change),
            ("gad7", self.gad7_baseline, self.gad7_latest, self.gad7_change),
        )

    @property
    def is_missed_flagged(self) -> bool:
        return self.missed_in_a_row >= MISSED_IN_A_ROW_FLAG

    @cached_property
    def weeks_in_treatment(self) -> int | None:
        """Whole weeks since the current episode started (None without an episode)."""
        if self.episode_started_on is None or self.today is None:
            return None
        return max(0, (self.today - self.episode_started_on).days // 7)

    @cached_property
    def is_remission(self) -> bool:
        """PHQ-9 below 5 (collaborative care's remission), with a baseline to compare."""
        return (
            self.phq9_baseline is not None
            and (self.phq9_latest or 0) < REMISSION_BELOW
            and (self.phq9_latest is not None)
        )

    @cached_property
    def is_response(self) -> bool:
        """PHQ-9 down by half or more from a baseline above 0."""
        base, latest = self.phq9_baseline, self.phq9_latest
        if base is None or latest is None or base <= 0:
            return False
        return (latest - base) / base * 100 <= -RESPONSE_MIN_REDUCTION_PERCENT

    @cached_property
    def reliably_worse(self) -> tuple[str, ...]:
        """Registry instruments on which the latest score rose by the reliable-change points."""
        worse = []
        for instrument_id, change in (("phq9", self.phq9_change), ("gad7", self.gad7_change)):
            if change is not None and change >= NHS_TT_CRITERIA[instrument_id].min_points:
                worse.append(instrument_id)
        return tuple(worse)

    @cached_property
    def is_not_on_track(self) -> bool:
        """10+ weeks in treatment without PHQ-9 response or remission (review due)."""
        weeks = self.weeks_in_treatment
        return (
            self.in_care
            and weeks is not None
            and weeks >= REVIEW_FROM_WEEK
            and self.phq9_latest is not None
            and self.phq9_baseline is not None
            and not (self.is_response or self.is_remission)
        )

    @cached_property
    def is_worsening(self) -> bool:
        """In care and reliably worse on PHQ-9 or GAD-7, or not on track."""
        return self.in_care and (bool(self.reliably_worse) or self.is_not_on_track)


def _change(baseline: float | None, latest: float | None) -> float | None:
    return None if baseline is None or latest is None else latest - baseline


@dataclass(frozen=True)
class _Adherence:
    overdue: tuple[str, ...]
    missed_in_a_row: int
    missed_measure: str


def _adherence(entries: list[ScheduleEntry]) -> _Adherence:
    scheduled = [
        (measure_name(e.planned.info.measure), e.status) for e in entries if e.status is not None
    ]
    overdue = tuple(label for label, s in scheduled if s.state == DueState.OVERDUE)
    worst = max(scheduled, key=lambda pair: pair[1].missed_in_a_row, default=None)
    if worst is None or worst[1].missed_in_a_row == 0:
        return _Adherence(overdue, 0, "")
    return _Adherence(overdue, worst[1].missed_in_a_row, worst[0])


def _line(p: Patient, today: date) -> CaseloadRow:
    """A line from the ranking query's row; someone in care with no open alert who is getting
    worse or not on track moves up to that group."""
    row = _line_as_read(p, today)
    if row.attention != Attention.IN_CARE:
        return row
    if not row.in_care:
        return replace(row, attention=Attention.DISCHARGED)
    if row.is_worsening:
        return replace(row, attention=Attention.WORSENING)
    return row


def _line_as_read(p: Patient, today: date) -> CaseloadRow:
    ending = p.current_episode_ending  # type: ignore[attr-defined]  # annotation
    return CaseloadRow(
        patient=p,
        phq9_baseline=_shared_score(p, "phq9_baseline"),
        phq9_latest=_shared_score(p, "phq9_latest"),
        gad7_baseline=_shared_score(p, "gad7_baseline"),
        gad7_latest=_shared_score(p, "gad7_latest"),
        last_submission_at=p.last_submission_at,  # type: ignore[attr-defined]
        open_alerts=p.open_alerts,  # type: ignore[attr-defined]
        # In care: no episode recorded yet, or the current one is ongoing (same rule as
        # in_care_ids, read from the registry's own query rather than one more).
        in_care=ending in (None, EpisodeEnding.ONGOING),
        attention=Attention.ALERT if p.open_alerts else Attention.IN_CARE,  # type: ignore[attr-defined]
        episode_started_on=p.current_episode_started_on,  # type: ignore[attr-defined]
        today=today,
    )


def _with_adherence(rows: list[CaseloadRow], now: datetime) -> list[CaseloadRow]:
    """The same lines with their overdue measures and missed-in-a-row runs (four queries).

    Discharged lines are not read: nothing is due or missed after discharge, so they never show
    as overdue (and cost nothing here)."""
    in_care = [row for row in rows if row.in_care]
    if not in_care:
        return rows
    patients = [row.patient for row in in_care]
    # The ids just read, not the visibility subquery again: PostgreSQL would re-evaluate it for
    # the whole team inside each grouped read (about 100 ms a query at 30k patients), while an
    # id list walks the (service, patient, instrument, completed_at) index per patient.
    patient_ids = [p.id for p in patients]
    planned = planned_by_patient(patients, patient_ids)
    latest = _last_completions(patients, planned)
    completed = []
    for row in rows:
        if not row.in_care:
            completed.append(row)
            continue
        p = row.patient
        adherence = _adherence(schedule_entries(p, planned[p.id], latest, now, in_care=True))
        attention = row.attention
        if attention == Attention.IN_CARE and adherence.overdue:
            attention = Attention.OVERDUE
        completed.append(
            replace(
                row,
                overdue=adherence.overdue,
                missed_in_a_row=adherence.missed_in_a_row,
                missed_measure=adherence.missed_measure,
                attention=attention,
            )
        )
    return completed


def _last_completions(
    patients: list[Patient], planned: dict[uuid.UUID, list[PlannedMeasure]]
) -> dict[tuple[uuid.UUID, str], datetime]:
    """When each patient last did each planned measure: the default plan's measures come with
    the ranking query's lines; a stored plan with any other measure is read for those patients
    only (two grouped queries, or none)."""
    latest: dict[tuple[uuid.UUID, str], datetime] = {}
    others = []
    for p in patients:
        for measure in _DEFAULT_MEASURES:
            done = getattr(p, _last_done(measure))
            if done is not None:
                latest[(p.id, measure)] = done
        if any(item.info.measure not in _DEFAULT_MEASURES for item in planned[p.id]):
            others.append(p)
    if others:
        latest |= last_completions(
            [p.id for p in others], service_ids={p.service_id for p in others}
        )
    return latest


def _read_order(row: CaseloadRow) -> tuple[bool, bool, float]:
    """Open alerts first, then the highest latest PHQ-9 the team may see (none last); a stable
    sort keeps the query's name-and-id order inside."""
    return (not row.open_alerts, row.phq9_latest is None, -(row.phq9_latest or 0.0))


def _needs_attention_order(rows: list[CaseloadRow]) -> list[CaseloadRow]:
    """The read order (open alerts, then the rest; latest PHQ-9, name) with the lines getting
    worse, then the overdue ones, then the rest in care, then the discharged: a stable partition
    (the read order holds inside each group), one pass, no sort."""
    groups: dict[Attention, list[CaseloadRow]] = {attention: [] for attention in Attention}
    for row in rows:
        groups[row.attention].append(row)
    return [row for attention in Attention for row in groups[attention]]


def _lines(
    user: User, filters: RegistryFilters, now: datetime, teams: list[RegistryTeam] | None
) -> list[CaseloadRow]:
    """The lines matching `filters` in the read order (`_read_order`), each in its group except
    "overdue" (not yet read). A clinician filter is matched to their teams among `teams` (read
    when not given): a patient belongs to a team, so "Ben's patients" are the patients of Ben's
    teams."""
    today = now.date()
    lines = sorted((_line(p, today) for p in _ranked_query(user, filters, teams)), key=_read_order)
    if filters.status == StatusFilter.WORSENING:
        lines = [line for line in lines if line.is_worsening]
    return lines


def _in_order(
    lines: list[CaseloadRow], filters: RegistryFilters, now: datetime
) -> list[CaseloadRow]:
    """The lines with adherence (plans, schedules: three queries), in the registry's order."""
    rows = _needs_attention_order(_with_adherence(lines, now))
    if filters.status == StatusFilter.OVERDUE:
        rows = [row for row in rows if row.overdue]
    return rows


def _ranked(
    user: User,
    filters: RegistryFilters,
    now: datetime,
    teams: list[RegistryTeam] | None = None,
) -> list[CaseloadRow]:
    """Every visible patient matching `filters`, as registry lines in the registry's order,
    with adherence."""
    return _in_order(_lines(user, filters, now, teams), filters, now)


def caseload_rows(
    user: User, now: datetime | None = None, *, filters: RegistryFilters | None = None
) -> list[CaseloadRow]:
    """The registry: scores, alerts, overdue measures and missed-in-a-row runs, in the
    registry's order (the JSON API: every line, no sparklines).

    Five queries whatever the caseload size (seven with the reader's teams and grants): the
    annotated patients, their plans and plan items, and the latest questionnaire and check-in
    of each.
    """
    return _ranked(user, filters or RegistryFilters(), now or clock.now())


def _with_sparklines(rows: list[CaseloadRow]) -> list[CaseloadRow]:
    """The page's lines with their last scores (one query), only where the team may see them."""
    shared = [row.patient for row in rows if row.patient.questionnaires_shared]  # type: ignore[attr-defined]
    scores = recent_scores_of_patients(
        [p.id for p in shared],
        service_ids={p.service_id for p in shared},
        instruments=REGISTRY_INSTRUMENTS,
        count=SPARKLINE_POINTS,
    )
    return [
        replace(
            row,
            sparklines=tuple(
                Sparkline(instrument_id, tuple(scores[(row.patient.id, instrument_id)]))
                for instrument_id in REGISTRY_INSTRUMENTS
                if (row.patient.id, instrument_id) in scores
            ),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class CaseloadPage:
    """One page of the registry, in the registry's order (who needs attention first)."""

    rows: list[CaseloadRow]
    number: int  # 1-based
    page_count: int
    total: int  # patients in the whole (filtered) registry
    first_position: int  # 1-based position of rows[0] in the registry (0 when empty)
    filters: RegistryFilters = field(default_factory=RegistryFilters)

    @property
    def last_position(self) -> int:
        return self.first_position + len(self.rows) - 1 if self.rows else 0

    @property
    def previous_number(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next_number(self) -> int | None:
        return self.number + 1 if self.number < self.page_count else None

    @property
    def numbers(self) -> range:
        return range(1, self.page_count + 1)


def caseload_page(
    user: User,
    number: int | str | None = 1,
    *,
    filters: RegistryFilters | None = None,
    teams: list[RegistryTeam] | None = None,
    per_page: int | None = None,
    now: datetime | None = None,
) -> CaseloadPage:
    """One page of `caseload_rows`, with sparklines for the page's lines (one more query). A page
    number that is not a number gives the first page; one past the end gives the last (as
    Django's Paginator.get_page)."""
    chosen, moment = filters or RegistryFilters(), now or clock.now()
    lines = _lines(user, chosen, moment, teams)
    # Open alerts and "getting worse" come first whatever is overdue: a page within them needs
    # the adherence of its own lines only (on the benchmark's 200-patient team, page 1 is all
    # alerts and getting worse). Otherwise the in-care rest is read whole to find the overdue.
    first = [line for line in lines if line.attention == Attention.ALERT]
    first += [line for line in lines if line.attention == Attention.WORSENING]
    size = per_page or REGISTRY_PAGE_SIZE
    page = Paginator(lines, size).get_page(number)
    if chosen.status != StatusFilter.OVERDUE and page.end_index() <= len(first):
        rows = _with_adherence(first[page.start_index() - 1 : page.end_index()], moment)
        total = len(lines)
    else:
        ranked = _in_order(lines, chosen, moment)
        page = Paginator(ranked, size).get_page(number)
        rows, total = list(page.object_list), len(ranked)
    return CaseloadPage(
        rows=_with_sparklines(rows),
        number=page.number,
        page_count=page.paginator.num_pages,
        total=total,
        first_position=page.start_index(),
        filters=chosen,
    )


# --- The filter form's choices -----------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class RegistryTeam:
    id: uuid.UUID
    name: str
    staff: tuple[Choice, ...]  # value: the user id as text


def registry_teams(user: User) -> list[RegistryTeam]:
    """The reader's own teams with their clinicians and supervisors (two queries): the team and
    clinician filters offer these."""
    teams = with_care_team_staff(teams_of(user)).order_by("name")
    result = []
    for team in teams:
        members = sorted(
            (m.user for m in team.memberships.all()),
            key=lambda member: (member.get_full_name() or member.get_username()).lower(),
        )
        result.append(
            RegistryTeam(
                id=team.id,
                name=team.name,
                staff=tuple(
                    Choice(str(m.id), m.get_full_name() or m.get_username()) for m in members
                ),
            )
        )
    return result
