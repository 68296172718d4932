"""Supervision reads: the psychiatric consultant's review list and a patient's case reviews.

The review list (issue #13 item 4) has three parts:

1. Not improving at 8-12 weeks: the supervisor's team patients whose ongoing course of care
   started 8 or more weeks ago (clinical_spec.md §17: "psychiatric consultation between weeks 8
   and 12 for patients not responding by week 8"), judged by the outcome engine
   (monitoring.outcomes): neither response nor remission, and no reliable improvement, reliably
   worse, or above the expected recovery range. Patients with no PHQ-9 in the course of care, or
   whose results are not shared with the team, are listed too (nobody can tell they improve).
2. Alerts handled late: acknowledged after the team's escalation policy asked for (its first
   tier's window, from when the alert was raised), or still not acknowledged past it; read
   through safety's public selectors (alerts_visible_to, team_visible_to, policy_view).
3. AI suggestions overridden: from the registry in supervision.suggestions (none yet).

The whole list costs a constant number of queries (patients, episodes, scores, alerts, one policy
per team), not one per patient.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from careloop.accounts.types import Role
from careloop.care.selectors import (
    CURRENT_STEP,
    ongoing_episodes_started_by,
    patients_visible_per_stream,
    stream_visible,
    teams_of,
)
from careloop.care.types import CareStep
from careloop.core import clock
from careloop.core.errors import PermissionDenied
from careloop.monitoring.outcome_selectors import band_model_for_service, local_day
from careloop.monitoring.outcome_selectors.scores import OUTCOME_INSTRUMENTS, page_scores
from careloop.monitoring.outcomes.bands import BandStatus
from careloop.monitoring.outcomes.change import ChangeDirection
from careloop.monitoring.outcomes.episode import (
    EpisodeSummary,
    InstrumentChange,
    latest_band_position,
    summarise_episode,
)
from careloop.monitoring.outcomes.nhs_tt import DatedScore
from careloop.monitoring.supervision.models import CaseReview
from careloop.monitoring.supervision.suggestions import (
    OverriddenSuggestion,
    overridden_suggestions,
)
from careloop.monitoring.supervision.types import (
    LATE_ALERT_LOOKBACK_DAYS,
    REVIEW_BY_WEEK,
    REVIEW_FROM_WEEK,
    ReviewOutcome,
    ReviewReason,
)
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.safety.selectors import alerts_visible_to, policy_view, team_visible_to
from careloop.safety.types import AlertStatus

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient, TreatmentEpisode

NOT_SUPERVISOR = "The review list is for supervisors (psychiatric consultants)."
LATE_ALERTS_SHOWN = 100


def require_supervisor(user: User) -> None:
    if not user.is_authenticated or user.role != Role.SUPERVISOR or user.service_id is None:
        raise PermissionDenied(NOT_SUPERVISOR)


@dataclass(frozen=True)
class ReviewEntry:
    """One case review as the care team sees it."""

    id: uuid.UUID
    reviewed_at: datetime
    reviewer_name: str
    outcome: ReviewOutcome | None
    note: str

    @property
    def outcome_label(self) -> str:
        return str(self.outcome.label) if self.outcome else ""


@dataclass(frozen=True)
class NotImproving:
    patient: Patient
    episode: TreatmentEpisode
    weeks: int
    current_step: CareStep | None
    phq9: InstrumentChange | None
    gad7: InstrumentChange | None
    reasons: tuple[ReviewReason, ...]
    last_review: ReviewEntry | None

    @property
    def review_overdue(self) -> bool:
        return self.weeks > REVIEW_BY_WEEK

    @property
    def reason_labels(self) -> list[str]:
        return [str(reason.label) for reason in self.reasons]


@dataclass(frozen=True)
class LateAlert:
    alert_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    severity: str
    raised_at: datetime
    deadline: datetime
    acknowledged_at: datetime | None
    minutes_late: int  # to the acknowledgement, or to now while still open

    @property
    def still_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def late_by(self) -> str:
        """In words: "45 min", "3 h 10 min", "2 days"."""
        minutes = self.minutes_late
        if minutes < 60:
            return f"{minutes} min"
        if minutes < 48 * 60:
            hours, rest = divmod(minutes, 60)
            return f"{hours} h {rest} min" if rest else f"{hours} h"
        return f"{minutes // (24 * 60)} days"


@dataclass(frozen=True)
class ReviewList:
    not_improving: list[NotImproving]
    late_alerts: list[LateAlert]
    overridden: list[OverriddenSuggestion] | None  # None: no AI suggestions in this service
    now: datetime
    from_week: int = REVIEW_FROM_WEEK
    by_week: int = REVIEW_BY_WEEK
    lookback_days: int = LATE_ALERT_LOOKBACK_DAYS

    @property
    def patient_ids(self) -> list[uuid.UUID]:
        ids = [row.patient.id for row in self.not_improving]
        ids += [row.patient_id for row in self.late_alerts if row.patient_id not in ids]
        return list(dict.fromkeys(ids))


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _entry(review: CaseReview) -> ReviewEntry:
    return ReviewEntry(
        id=review.id,
        reviewed_at=review.reviewed_at,
        reviewer_name=_name(review.reviewer),
        outcome=ReviewOutcome(review.outcome) if review.outcome else None,
        note=review.note,
    )


def reviews_of(patient: Patient, *, limit: int = 50) -> list[ReviewEntry]:
    """A patient's case reviews, newest first: the supervisor's notes and sign-offs, which the
    care team sees too. `patient` must come from a selector (fails closed)."""
    if not stream_visible(patient, DataStream.PROFILE):
        return []
    rows = (
        CaseReview.objects.filter(service_id=patient.service_id, patient=patient)
        .select_related("reviewer")
        .order_by("-reviewed_at", "-id")[:limit]
    )
    return [_entry(row) for row in rows]


def _last_sign_offs(
    service_id: uuid.UUID, patient_ids: list[uuid.UUID]
) -> dict[uuid.UUID, ReviewEntry]:
    """The latest sign-off of each of these patients (ids the caller took through the access
    decision); one query."""
    latest: dict[uuid.UUID, ReviewEntry] = {}
    rows = (
        CaseReview.objects.filter(service_id=service_id, patient_id__in=patient_ids)
        .exclude(outcome="")
        .select_related("reviewer")
        .order_by("patient_id", "-reviewed_at")
    )
    for row in rows:
        latest.setdefault(row.patient_id, _entry(row))
    return latest


def _reasons(
    phq9: tuple[DatedScore, ...], summary: EpisodeSummary, service_id: uuid.UUID
) -> tuple[ReviewReason, ...]:
    """Why a patient whose scores the team sees is not improving (empty: improving)."""
    if summary.phq9 is None:
        return (ReviewReason.NO_SCORES,)
    cocm = summary.cocm
    if cocm is not None and (cocm.is_response or cocm.is_remission):
        return ()
    reasons: list[ReviewReason] = []
    directions = {c.change.direction for c in (summary.phq9, summary.gad7) if c is not None}
    if ChangeDirection.RELIABLE_DETERIORATION in directions:
        reasons.append(ReviewReason.RELIABLE_DETERIORATION)
    elif summary.phq9.change.direction != ChangeDirection.RELIABLE_IMPROVEMENT:
        reasons.append(ReviewReason.NO_RELIABLE_IMPROVEMENT)
    band = latest_band_position(band_model_for_service(service_id), phq9)
    if band is not None and band.status in (BandStatus.WARNING, BandStatus.ALERT):
        reasons.append(ReviewReason.NOT_ON_TRACK)
    return tuple(reasons)


def not_improving_for(user: User, *, now: datetime | None = None) -> list[NotImproving]:
    """The supervisor's team patients, 8 weeks or more into an ongoing course of care, who are
    not improving; longest in treatment first. A constant number of queries."""
    now = now or clock.now()
    visible = patients_visible_per_stream(
        user, PurposeOfUse.CAREMGT, streams=(DataStream.PROFILE, DataStream.QUESTIONNAIRES)
    )
    # A day of slack for time zones: the exact week count is taken on each patient's own day.
    started_by = now.date() - timedelta(weeks=REVIEW_FROM_WEEK) + timedelta(days=1)
    episodes = ongoing_episodes_started_by(visible[DataStream.PROFILE], started_by)
    if not episodes:
        return []
    patient_ids = [episode.patient_id for episode in episodes]
    shared = set(
        visible[DataStream.QUESTIONNAIRES].filter(id__in=patient_ids).values_list("id", flat=True)
    )
    service_id = episodes[0].service_id
    # Scores only of the episodes whose patients share questionnaires with the team (the access
    # decision above); read by episode through the assessment->episode index, one query.
    page = [
        (e.id, e.treatment_sessions_attended, e.patient.time_zone)
        for e in episodes
        if e.patient_id in shared
    ]
    scores = {row.episode_id: row for row in page_scores(service_id, page, OUTCOME_INSTRUMENTS)}
    last_reviews = _last_sign_offs(service_id, patient_ids)
    rows: list[NotImproving] = []
    for episode in episodes:
        patient = episode.patient
        today = local_day(now, patient.time_zone)
        weeks = (today - episode.started_on).days // 7
        if weeks < REVIEW_FROM_WEEK:
            continue
        found = scores.get(episode.id)
        phq9, gad7 = (found.phq9, found.gad7) if found is not None else ((), ())
        summary = summarise_episode(
            phq9,
            gad7,
            is_ended=False,
            recorded_sessions=episode.treatment_sessions_attended,
            as_of=today,
        )
        if patient.id not in shared:
            reasons: tuple[ReviewReason, ...] = (ReviewReason.SCORES_NOT_SHARED,)
        else:
            reasons = _reasons(phq9, summary, service_id)
        if not reasons:
            continue
        step = getattr(episode, CURRENT_STEP, None)
        rows.append(
            NotImproving(
                patient=patient,
                episode=episode,
                weeks=weeks,
                current_step=CareStep(step) if step is not None else None,
                phq9=summary.phq9,
                gad7=summary.gad7,
                reasons=reasons,
                last_review=last_reviews.get(patient.id),
            )
        )
    rows.sort(key=lambda row: (-row.weeks, row.patient.display_name))
    return rows


def late_alerts_for(user: User, *, now: datetime | None = None) -> list[LateAlert]:
    """Alerts of the supervisor's teams' patients raised in the last LATE_ALERT_LOOKBACK_DAYS
    that were acknowledged after the team's first escalation window, or are still not
    acknowledged past it; most late first. One query for the alerts, one policy read per team."""
    now = now or clock.now()
    windows: dict[uuid.UUID, timedelta] = {}
    for team_id in teams_of(user).values_list("id", flat=True):
        tiers = policy_view(team_visible_to(user, team_id)).tiers
        if tiers:
            windows[team_id] = timedelta(seconds=tiers[0].acknowledge_within_seconds)
    since = now - timedelta(days=LATE_ALERT_LOOKBACK_DAYS)
    late: list[LateAlert] = []
    for alert in alerts_visible_to(user).filter(raised_at__gte=since)[:2000]:
        window = windows.get(alert.patient.care_team_id)
        if window is None:
            continue
        deadline = alert.raised_at + window
        acknowledged = alert.acknowledged_at
        if acknowledged is None and alert.status not in (AlertStatus.RAISED, AlertStatus.NOTIFIED):
            acknowledged = alert.actioned_at or alert.closed_at
        is_late = (acknowledged is not None and acknowledged > deadline) or (
            acknowledged is None and now > deadline
        )
        if is_late:
            end = acknowledged or now
            late.append(
                LateAlert(
                    alert_id=alert.id,
                    patient_id=alert.patient_id,
                    patient_name=alert.patient.display_name,
                    severity=alert.severity,
                    raised_at=alert.raised_at,
                    deadline=deadline,
                    acknowledged_at=acknowledged,
                    minutes_late=max(0, int((end - deadline).total_seconds() // 60)),
                )
            )
    late.sort(key=lambda row: -row.minutes_late)
    return late[:LATE_ALERTS_SHOWN]


def review_list_for(user: User, *, now: datetime | None = None) -> ReviewList:
    """The supervisor's review list; PermissionDenied for anyone who is not a supervisor."""
    require_supervisor(user)
    now = now or clock.now()
    return ReviewList(
        not_improving=not_improving_for(user, now=now),
        late_alerts=late_alerts_for(user, now=now),
        overridden=overridden_suggestions(user, now - timedelta(days=LATE_ALERT_LOOKBACK_DAYS)),
        now=now,
    )


def has_case_reviews_for_seed(service_id: uuid.UUID) -> bool:
    """Read for the demo loader only: whether the service has any case review yet."""
    return CaseReview.objects.filter(service_id=service_id).exists()
