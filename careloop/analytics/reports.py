"""The NHS Talking Therapies service report: referrals, finished courses and the four outcome
rates, each with its numerator and denominator (clinical_spec.md §15; definitions in
careloop.monitoring.outcomes.nhs_tt and .service_metrics, method in docs/outcomes.md).

Scale: referrals and the episodes without any score are counted by the database; the rest is read
a page of episodes per query, each episode already reduced by the database to its first and last
paired score and its number of measurement days
(careloop.monitoring.outcome_selectors.ended_episode_outcome_inputs), and folded episode by
episode into a tally, so memory stays flat for 100k patients and there is no query per episode.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from careloop.analytics.breakdown import MetricRow
from careloop.analytics.intervals import CI_METHOD, SUPPRESSION_RULE
from careloop.analytics.selectors import referral_count, service_breakdown
from careloop.core.errors import InvalidInput
from careloop.monitoring.outcome_selectors import (
    ended_episode_outcome_inputs,
    ended_episodes_without_scores,
    ended_outcome_of,
)
from careloop.monitoring.outcomes import nhs_tt, service_metrics
from careloop.monitoring.outcomes.service_metrics import NhsTtTally, Rate

if TYPE_CHECKING:
    from careloop.core.models import Service

RATE_NAMES = ("recovery", "reliable_improvement", "reliable_recovery", "reliable_deterioration")


@dataclass(frozen=True)
class NhsTtReport:
    service_slug: str
    period_from: date | None
    period_to: date | None
    referrals: int
    ended: int
    finished: int
    finished_sessions_estimated: int
    finished_without_outcome_pair: int
    finished_not_at_caseness: int
    finished_cases: int
    rates: dict[str, Rate]
    definitions: dict[str, str] = field(default_factory=dict)
    # With by_group: every dashboard metric overall and by group, small groups suppressed.
    by_group: list[MetricRow] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service_slug,
            "period": {
                "from": self.period_from.isoformat() if self.period_from else None,
                "to": self.period_to.isoformat() if self.period_to else None,
            },
            "referrals": self.referrals,
            "ended": self.ended,
            "finished": self.finished,
            "finished_sessions_estimated": self.finished_sessions_estimated,
            "finished_without_outcome_pair": self.finished_without_outcome_pair,
            "finished_not_at_caseness": self.finished_not_at_caseness,
            "finished_cases": self.finished_cases,
            "rates": {
                name: {"numerator": r.numerator, "denominator": r.denominator, "rate": r.value}
                for name, r in self.rates.items()
            },
            "definitions": self.definitions,
            **(
                {"by_group": [row.to_dict() for row in self.by_group]}
                if self.by_group is not None
                else {}
            ),
        }


def nhs_tt_report(
    service: Service,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    by_group: bool = False,
) -> NhsTtReport:
    """The report for one service; the period (inclusive) selects referrals by referral day
    and outcomes by the day the episode ended. No period: everything.

    1. Count referrals in the database.
    2. Stream every ended episode with scores (reduced in SQL), add its NHS TT outcome to a tally.
    3. Add the ended episodes that have no PHQ-9/GAD-7 at all (one aggregate query).
    4. With `by_group`, also the service dashboard's breakdown (analytics.selectors.
       service_breakdown: the same engine and tally per group, plus collaborative care,
       engagement and alert response), whose overall NHS TT rows equal the rates of 2–3.
    """
    if period_from and period_to and period_from > period_to:
        raise InvalidInput("the period starts after it ends")
    tally = NhsTtTally()
    for inputs in ended_episode_outcome_inputs(
        service.id, ended_from=period_from, ended_to=period_to
    ):
        tally.add(ended_outcome_of(inputs))
    ended, finished = ended_episodes_without_scores(
        service.id, ended_from=period_from, ended_to=period_to
    )
    tally.add_finished_without_scores(finished, ended=ended)
    return NhsTtReport(
        service_slug=service.slug,
        period_from=period_from,
        period_to=period_to,
        referrals=referral_count(service.id, referred_from=period_from, referred_to=period_to),
        ended=tally.ended,
        finished=tally.finished,
        finished_sessions_estimated=tally.finished_sessions_estimated,
        finished_without_outcome_pair=tally.finished_without_outcome_pair,
        finished_not_at_caseness=tally.finished_not_at_caseness,
        finished_cases=tally.finished_cases,
        rates={name: getattr(tally, name) for name in RATE_NAMES},
        definitions=_definitions(by_group=by_group),
        by_group=(
            service_breakdown(service.id, period_from=period_from, period_to=period_to).rows()
            if by_group
            else None
        ),
    )


def _definitions(*, by_group: bool = False) -> dict[str, str]:
    breakdown = (
        {
            "by_group_interval": CI_METHOD,
            "by_group_suppression": SUPPRESSION_RULE,
            "by_group_metrics": "plain words and sources: docs/workspace/dashboard.md",
        }
        if by_group
        else {}
    )
    return {
        **breakdown,
        **nhs_tt.SOURCES,
        **{f"{name}_rate": text for name, text in service_metrics.DENOMINATOR_SOURCES.items()},
        "finished_without_outcome_pair": (
            "Careloop choice: finished courses with fewer than two paired PHQ-9/GAD-7 scores "
            "are left out of every outcome denominator"
        ),
        "finished_sessions_estimated": (
            "finished courses whose sessions were not recorded, estimated as measurement days "
            "after the first"
        ),
    }


def report_text(report: NhsTtReport) -> str:
    """A plain-text table for the command line."""
    period = f"{report.period_from or 'start'} to {report.period_to or 'now'}"
    lines = [
        f"NHS Talking Therapies report: {report.service_slug} ({period})",
        f"  referrals                      {report.referrals:>9}",
        f"  ended                          {report.ended:>9}",
        f"  finished (>= 2 sessions)       {report.finished:>9}",
        f"    sessions estimated           {report.finished_sessions_estimated:>9}",
        f"    without two paired scores    {report.finished_without_outcome_pair:>9}",
        f"    not at caseness at start     {report.finished_not_at_caseness:>9}",
        f"    cases (recovery denominator) {report.finished_cases:>9}",
    ]
    for name, rate in report.rates.items():
        value = "n/a" if rate.value is None else f"{100 * rate.value:5.1f} %"
        lines.append(
            f"  {name.replace('_', ' '):<30} {value:>9}  ({rate.numerator} / {rate.denominator})"
        )
    return "\n".join(lines)


def report_json(report: NhsTtReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
