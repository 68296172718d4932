"""The service dashboard's figures, overall and by group (pure: no Django, table-tested).

Each ended episode and each alert is added once, to the overall tally and to one group of every
dimension (ethnicity, gender, age band, preferred language, deprivation quintile). The NHS
Talking Therapies rates come from the same engine and tally as the service report
(careloop.monitoring.outcomes: `NhsTtTally` fed `NhsTtOutcome`s), so the overall row equals
`careloop report nhs-tt`. `rows()` turns the tallies into one row per metric × dimension ×
group, with the Wilson 95 % interval and small groups suppressed (careloop.analytics.intervals)
*before* anything leaves this module: a suppressed row carries no numbers at all.

Metrics (plain words in docs/workspace/dashboard.md):

* recovery, reliable_improvement, reliable_recovery, reliable_deterioration: NHS TT
  (clinical_spec.md §15), denominators as the report has them;
* cocm_response, cocm_remission: collaborative care on PHQ-9 (clinical_spec.md §17) over ended
  episodes with at least two PHQ-9 totals and a first one ≥ 10 (the registry's eligibility):
  response = last ≤ half the first, remission = last < 5;
* engagement: ended episodes that had at least two attended sessions (finished a course,
  §15) / ended episodes; drop_out: ended episodes that ended as dropped out / ended episodes;
* alert_ack_within_policy: alerts acknowledged within the first tier's window / alerts either
  acknowledged or whose window has passed; alert_ack_median_minutes, alert_ack_p90_minutes:
  time from raised to acknowledged over acknowledged alerts (no interval: a value, not a rate).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from careloop.analytics.intervals import is_too_small, suppressed_groups, wilson_interval
from careloop.monitoring.outcomes.cocm import ELIGIBLE_BASELINE, cocm_status
from careloop.monitoring.outcomes.nhs_tt import DatedScore, NhsTtOutcome
from careloop.monitoring.outcomes.percentiles import percentile
from careloop.monitoring.outcomes.service_metrics import NhsTtTally, Rate

OVERALL = "overall"
ALL = "all"
NOT_RECORDED = "not_recorded"


class Dimension(StrEnum):
    ETHNICITY = "ethnicity"
    GENDER = "gender"
    AGE_BAND = "age_band"
    PREFERRED_LANGUAGE = "preferred_language"
    DEPRIVATION_QUINTILE = "deprivation_quintile"


DIMENSIONS = tuple(Dimension)

NHS_TT_METRICS = ("recovery", "reliable_improvement", "reliable_recovery", "reliable_deterioration")
RATE_METRICS = (
    *NHS_TT_METRICS,
    "cocm_response",
    "cocm_remission",
    "engagement",
    "drop_out",
    "alert_ack_within_policy",
)
TIME_METRICS = ("alert_ack_median_minutes", "alert_ack_p90_minutes")
METRICS = (*RATE_METRICS, *TIME_METRICS)

# Age at referral (or when the alert was raised), whole years from the birth year.
AGE_BANDS = ((0, 17, "under_18"), (18, 24, "18_24"), (25, 34, "25_34"), (35, 44, "35_44"),
             (45, 54, "45_54"), (55, 64, "55_64"), (65, 200, "65_and_over"))  # fmt: skip


def age_band(birth_year: int | None, on: date) -> str:
    if birth_year is None:
        return NOT_RECORDED
    age = on.year - birth_year
    for low, high, name in AGE_BANDS:
        if low <= age <= high:
            return name
    return NOT_RECORDED


@dataclass(frozen=True)
class Person:
    """The grouping fields of one patient (from care's reporting read)."""

    birth_year: int | None
    gender: str
    ethnicity: str
    preferred_language: str
    deprivation_quintile: int | None


def groups_of(person: Person, on: date) -> dict[Dimension, str]:
    """The group of each dimension this person falls in on `on` (age moves with the day)."""
    quintile = person.deprivation_quintile
    return {
        Dimension.ETHNICITY: person.ethnicity or NOT_RECORDED,
        Dimension.GENDER: person.gender or NOT_RECORDED,
        Dimension.AGE_BAND: age_band(person.birth_year, on),
        Dimension.PREFERRED_LANGUAGE: person.preferred_language or NOT_RECORDED,
        Dimension.DEPRIVATION_QUINTILE: str(quintile) if quintile else NOT_RECORDED,
    }


@dataclass(frozen=True)
class CocmOutcome:
    eligible: bool  # ≥ 2 PHQ-9 totals and the first ≥ 10
    response: bool
    remission: bool


def cocm_outcome(phq9: Sequence[DatedScore]) -> CocmOutcome:
    """An ended episode's collaborative-care outcome, first PHQ-9 against the last."""
    if len(phq9) < 2 or phq9[0].total < ELIGIBLE_BASELINE:
        return CocmOutcome(eligible=False, response=False, remission=False)
    first, last = phq9[0], phq9[-1]
    status = cocm_status(first.total, last.total, baseline_on=first.taken_on, as_of=last.taken_on)
    return CocmOutcome(eligible=True, response=status.is_response, remission=status.is_remission)


@dataclass
class GroupTally:
    nhs_tt: NhsTtTally = field(default_factory=NhsTtTally)
    dropped_out: int = 0
    cocm_eligible: int = 0
    cocm_response: int = 0
    cocm_remission: int = 0
    alerts_judged: int = 0  # acknowledged, or their window has passed
    alerts_in_policy: int = 0
    ack_seconds: Counter[int] = field(default_factory=Counter)

    def rate(self, metric: str) -> Rate:
        if metric in NHS_TT_METRICS:
            rate: Rate = getattr(self.nhs_tt, metric)
            return rate
        ended = self.nhs_tt.ended
        return {
            "cocm_response": Rate(self.cocm_response, self.cocm_eligible),
            "cocm_remission": Rate(self.cocm_remission, self.cocm_eligible),
            "engagement": Rate(self.nhs_tt.finished, ended),
            "drop_out": Rate(self.dropped_out, ended),
            "alert_ack_within_policy": Rate(self.alerts_in_policy, self.alerts_judged),
        }[metric]

    def time_value(self, metric: str) -> tuple[int, float | None]:
        """(acknowledged alerts, minutes at the median or 90th percentile)."""
        count = sum(self.ack_seconds.values())
        if not count:
            return 0, None
        p = 50 if metric == "alert_ack_median_minutes" else 90
        return count, percentile(self.ack_seconds, p) / 60


@dataclass(frozen=True)
class MetricRow:
    """One figure of the dashboard; a suppressed row carries no numbers."""

    metric: str
    dimension: str
    group: str
    numerator: int | None
    denominator: int | None
    rate: float | None  # a proportion, or minutes for the time metrics
    ci_low: float | None
    ci_high: float | None
    suppressed: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "dimension": self.dimension,
            "group": self.group,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "rate": self.rate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "suppressed": self.suppressed,
        }


@dataclass
class Breakdown:
    """Tallies overall and per (dimension, group); add episodes and alerts, then `rows()`."""

    tallies: dict[tuple[str, str], GroupTally] = field(default_factory=dict)

    def _targets(self, groups: dict[Dimension, str]) -> list[GroupTally]:
        keys = [(OVERALL, ALL), *((str(d), groups[d]) for d in DIMENSIONS)]
        return [self.tallies.setdefault(key, GroupTally()) for key in keys]

    def add_episode(
        self,
        groups: dict[Dimension, str],
        outcome: NhsTtOutcome,
        *,
        dropped_out: bool,
        cocm: CocmOutcome,
    ) -> None:
        """An ended episode with at least one PHQ-9/GAD-7 (the report's streamed episodes)."""
        for tally in self._targets(groups):
            tally.nhs_tt.add(outcome)
            tally.dropped_out += dropped_out
            tally.cocm_eligible += cocm.eligible
            tally.cocm_response += cocm.response
            tally.cocm_remission += cocm.remission

    def add_episode_without_scores(
        self, groups: dict[Dimension, str], *, finished: bool, dropped_out: bool
    ) -> None:
        """An ended episode with no PHQ-9/GAD-7 at all (the report counts these in SQL)."""
        for tally in self._targets(groups):
            tally.nhs_tt.add_finished_without_scores(int(finished), ended=1)
            tally.dropped_out += dropped_out

    def add_alert(
        self,
        groups: dict[Dimension, str],
        *,
        ack_seconds: int | None,
        window_seconds: int,
        window_passed: bool,
    ) -> None:
        """An alert: acknowledged after `ack_seconds` (None: not yet); `window_passed` says
        whether the first tier's window has ended by now."""
        judged = ack_seconds is not None or window_passed
        in_policy = ack_seconds is not None and ack_seconds <= window_seconds
        for tally in self._targets(groups):
            tally.alerts_judged += judged
            tally.alerts_in_policy += in_policy
            if ack_seconds is not None:
                tally.ack_seconds[ack_seconds] += 1

    def overall(self) -> GroupTally:
        return self.tallies.get((OVERALL, ALL), GroupTally())

    def rows(self) -> list[MetricRow]:
        """Every metric overall, then by each dimension's groups (sorted by name), suppressed."""
        rows: list[MetricRow] = []
        for metric in METRICS:
            sizes = {key: self._size(tally, metric) for key, tally in self.tallies.items()}
            overall_hidden = is_too_small(sizes.get((OVERALL, ALL), 0))
            rows.append(self._row(metric, (OVERALL, ALL), overall_hidden))
            for dimension in DIMENSIONS:
                groups = sorted(
                    (g, size) for (d, g), size in sizes.items() if d == dimension and size > 0
                )
                hidden = suppressed_groups(groups)
                for group, _ in groups:
                    hide = overall_hidden or group in hidden
                    rows.append(self._row(metric, (str(dimension), group), hide))
        return rows

    def _size(self, tally: GroupTally, metric: str) -> int:
        if metric in TIME_METRICS:
            return tally.time_value(metric)[0]
        return tally.rate(metric).denominator

    def _row(self, metric: str, key: tuple[str, str], hide: bool) -> MetricRow:
        dimension, group = key
        if hide:
            return MetricRow(metric, dimension, group, None, None, None, None, None, True)
        tally = self.tallies.get(key, GroupTally())
        if metric in TIME_METRICS:
            count, minutes = tally.time_value(metric)
            return MetricRow(metric, dimension, group, None, count, minutes, None, None, False)
        rate = tally.rate(metric)
        interval = wilson_interval(rate.numerator, rate.denominator)
        low, high = interval if interval else (None, None)
        return MetricRow(
            metric, dimension, group, rate.numerator, rate.denominator, rate.value, low, high,
            False,
        )  # fmt: skip
