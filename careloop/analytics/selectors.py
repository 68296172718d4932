"""Reads for analytics: which service a report may be about, the counts the DB can do, and the
service dashboard's breakdown (`service_breakdown`, over care, monitoring and safety's system
reads).

Reports are about a whole service, so access is by role, not by care team: a supervisor or a
service admin sees the reports of their own service; anyone else gets NotFound (HTTP 404), the
same answer as for a service that does not exist.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from careloop.accounts.types import Role
from careloop.analytics.breakdown import Breakdown, Person, cocm_outcome, groups_of
from careloop.care.selectors import referral_count_for_system
from careloop.care.selectors.reporting import (
    ended_episode_facts_for_system,
    patient_groups_for_system,
)
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.core.errors import NotFound
from careloop.core.selectors import service_with_id, service_with_slug
from careloop.monitoring.outcome_selectors import (
    closed_episode_scores,
    ended_outcome_of,
    outcome_inputs_of,
)
from careloop.safety.report_selectors import alert_response_rows_for_system

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.core.models import Service

REPORT_ROLES = frozenset({Role.SUPERVISOR, Role.SERVICE_ADMIN})


def report_service_for(user: User) -> Service:
    """The service whose reports `user` may read, or NotFound."""
    if not user.is_authenticated or user.role not in REPORT_ROLES or user.service_id is None:
        raise NotFound("report")
    service = service_with_id(user.service_id)
    if service is None:
        raise NotFound("report")
    return service


def service_by_slug(slug: str) -> Service:
    """For operators at the command line (no user: the shell is already trusted)."""
    service = service_with_slug(slug)
    if service is None:
        raise NotFound(f"service {slug!r}")
    return service


def referral_count(
    service_id: uuid.UUID, *, referred_from: date | None, referred_to: date | None
) -> int:
    """Episodes referred in the period (all of them without a period): one COUNT query."""
    return referral_count_for_system(
        service_id, referred_from=referred_from, referred_to=referred_to
    )


def service_breakdown(
    service_id: uuid.UUID, *, period_from: date | None = None, period_to: date | None = None
) -> Breakdown:
    """The service dashboard's tallies (analytics.breakdown), from the same reads and engine as
    the NHS TT report: ended episodes by the day they ended, alerts by the day they were raised
    (UTC days), each added to the overall and to its patient's groups.

    1. The patients' grouping fields (one query) and the period's ended episodes (one query).
    2. Every ended episode with PHQ-9/GAD-7, full series a page at a time
       (monitoring.outcome_selectors.closed_episode_scores, the report's portable path): its NHS
       TT outcome (`ended_outcome_of(outcome_inputs_of(...))`) and collaborative-care outcome.
    3. The ended episodes with no scores (finished when ≥ 2 recorded sessions, as the report).
    4. The alerts raised in the period with their first tier's window (safety, one query).
    """
    people = {
        patient_id: Person(**vars(groups))
        for patient_id, groups in patient_groups_for_system(service_id).items()
    }
    facts = {
        fact.episode_id: fact
        for fact in ended_episode_facts_for_system(
            service_id, ended_from=period_from, ended_to=period_to
        )
    }
    breakdown = Breakdown()
    for scores in closed_episode_scores(service_id, ended_from=period_from, ended_to=period_to):
        fact = facts.pop(scores.episode_id)
        breakdown.add_episode(
            groups_of(people[fact.patient_id], fact.referred_on),
            ended_outcome_of(outcome_inputs_of(scores)),
            dropped_out=fact.ending == EpisodeEnding.DROPPED_OUT,
            cocm=cocm_outcome(scores.phq9),
        )
    for fact in facts.values():
        breakdown.add_episode_without_scores(
            groups_of(people[fact.patient_id], fact.referred_on),
            finished=(fact.recorded_sessions or 0) >= 2,
            dropped_out=fact.ending == EpisodeEnding.DROPPED_OUT,
        )
    now = clock.now()
    raised_from = datetime.combine(period_from, time.min, tzinfo=UTC) if period_from else None
    raised_to = (
        datetime.combine(period_to + timedelta(days=1), time.min, tzinfo=UTC) if period_to else None
    )
    for alert in alert_response_rows_for_system(
        service_id, raised_from=raised_from, raised_to=raised_to
    ):
        acknowledged = alert.acknowledged_at
        breakdown.add_alert(
            groups_of(people[alert.patient_id], alert.raised_at.date()),
            ack_seconds=(
                max(0, int((acknowledged - alert.raised_at).total_seconds()))
                if acknowledged
                else None
            ),
            window_seconds=alert.window_seconds,
            window_passed=now - alert.raised_at > timedelta(seconds=alert.window_seconds),
        )
    return breakdown
