"""The caseload registry: the reader's visible patients with scores, open alerts, overdue
measures and missed-in-a-row runs, most worrying first, in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.db.models.functions import Coalesce

from careloop.assessments.selectors import (
    patient_last_submission_expression,
    patient_score_expression,
)
from careloop.care.selectors import patients_visible_per_stream, with_current_episode
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.monitoring.schedule import DueState
from careloop.monitoring.selectors.plans import (
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


def _ranked(user: User) -> list[CaseloadRow]:
    """Every visible patient as a registry line without the adherence columns, most worrying
    first (one query: the order needs only scores, alerts and whether the patient is in care)."""
    patients = list(caseload_for(user))
    # In care: no episode recorded yet, or the current one is ongoing (same rule as in_care_ids,
    # read from the registry's own query rather than one more).
    rows = [
        CaseloadRow(
            patient=p,
            phq9_baseline=_shared_score(p, "phq9_baseline"),
            phq9_latest=_shared_score(p, "phq9_latest"),
            gad7_baseline=_shared_score(p, "gad7_baseline"),
            gad7_latest=_shared_score(p, "gad7_latest"),
            last_submission_at=p.last_submission_at,  # type: ignore[attr-defined]
            open_alerts=p.open_alerts,  # type: ignore[attr-defined]
            in_care=p.current_episode_ending in (None, EpisodeEnding.ONGOING),  # type: ignore[attr-defined]
        )
        for p in patients
    ]
    return sorted(rows, key=_most_worrying_first)


def _with_adherence(rows: list[CaseloadRow], now: datetime) -> list[CaseloadRow]:
    """The same lines with their overdue measures and missed-in-a-row runs (four queries)."""
    if not rows:
        return []
    patients = [row.patient for row in rows]
    # The ids just read, not the visibility subquery again: PostgreSQL would re-evaluate it for
    # the whole team inside each grouped read (about 100 ms a query at 30k patients), while an
    # id list walks the (service, patient, instrument, completed_at) index per patient.
    patient_ids = [p.id for p in patients]
    planned = planned_by_patient(patients, patient_ids)
    latest = last_completions(patient_ids, service_ids={p.service_id for p in patients})
    completed = []
    for row in rows:
        p = row.patient
        adherence = _adherence(schedule_entries(p, planned[p.id], latest, now, in_care=row.in_care))
        completed.append(
            replace(
                row,
                overdue=adherence.overdue,
                missed_in_a_row=adherence.missed_in_a_row,
                missed_measure=adherence.missed_measure,
            )
        )
    return completed


def caseload_rows(user: User, now: datetime | None = None) -> list[CaseloadRow]:
    """The registry: scores, alerts, overdue measures and missed-in-a-row runs.

    Five queries whatever the caseload size: the annotated patients, their plans and plan items,
    and the latest questionnaire and check-in of each.
    """
    return _with_adherence(_ranked(user), now or clock.now())


@dataclass(frozen=True)
class CaseloadPage:
    """One page of the registry, in the registry's order (most worrying first)."""

    rows: list[CaseloadRow]
    number: int  # 1-based
    page_count: int
    total: int  # patients in the whole registry
    first_position: int  # 1-based position of rows[0] in the registry (0 when empty)

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
    per_page: int | None = None,
    now: datetime | None = None,
) -> CaseloadPage:
    """One page of `caseload_rows`: the whole registry is ranked (one query), and only the
    page's patients get their plans and completions read (four more queries). A page number
    that is not a number gives the first page; one past the end gives the last (as Django's
    Paginator.get_page)."""
    ranked = _ranked(user)
    page = Paginator(ranked, per_page or REGISTRY_PAGE_SIZE).get_page(number)
    rows = _with_adherence(list(page.object_list), now or clock.now())
    return CaseloadPage(
        rows=rows,
        number=page.number,
        page_count=page.paginator.num_pages,
        total=len(ranked),
        first_position=page.start_index(),
    )
