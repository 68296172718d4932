"""Expected-recovery bands for PHQ-9: where a service's own patients were at each week of
treatment, by baseline severity, and whether a patient is now off that track.

Method (clinical_spec.md §18 `recommended_platform_algorithm`, a design proposal, and the
Lambert/OQ "not-on-track" idea in §18 `method_general`; docs/outcomes.md explains it in full):

1. Training data: the service's CLOSED episodes (completed or dropped out), PHQ-9 only.
2. Baseline stratum = the episode's first PHQ-9: 10–14, 15–19 or 20–27 (§18). Episodes below
   caseness (< 10) get no band: there is little to recover from.
3. Week since baseline = whole days ÷ 7 rounded to the nearest week ((days + 3) // 7); an
   episode gives at most one observation per week (its last score that week).
4. Bands = the 10th, 25th, 50th, 75th and 90th percentiles of the cell (stratum, week)
   (`percentiles`, Hyndman & Fan type 7).
5. Not on track: above the 75th percentile = warning, above the 90th = alert (issue #3).

Minimum-data rule (`MinimumDataRule`): a stratum's own bands are used only when ≥ 200 closed
episodes started in it (§18's example N), and a cell only when it holds ≥ 50 observations (so at
least five lie beyond the 90th percentile). Short of that, pool before giving up:

  a. the stratum's cell at the week; b. weeks w ± 1; c. weeks w ± 2;
  d. the same with the adjacent strata merged in (the stratum rule applied to the union);
  e. fallback: the published reference rule (`reference`), alert-only and labelled UNVERIFIED;
  f. otherwise no judgement (NOT_ASSESSED).

Every ExpectedBand says which step produced it (`basis`) and shows that in its `label`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from careloop.monitoring.outcomes import reference
from careloop.monitoring.outcomes.percentiles import PERCENTILE_METHOD, merge, percentiles

PERCENTILES = (10, 25, 50, 75, 90)
WARNING_PERCENTILE, ALERT_PERCENTILE = 75, 90  # issue #3: above the 75th warns, 90th alerts
SOURCE = (
    "percentile bands by week and baseline stratum from the service's closed episodes: "
    f"clinical_spec.md §18 recommended_platform_algorithm (design proposal); {PERCENTILE_METHOD}"
)


@dataclass(frozen=True)
class Stratum:
    label: str
    low: float  # inclusive lower bound of the baseline PHQ-9


# clinical_spec.md §18: "baseline-severity strata (e.g. 10-14, 15-19, 20-27)".
STRATA = (Stratum("10–14", 10), Stratum("15–19", 15), Stratum("20–27", 20))


@dataclass(frozen=True)
class MinimumDataRule:
    min_stratum_episodes: int = 200  # clinical_spec.md §18 "minimum N per stratum, e.g. >= 200"
    min_cell_observations: int = 50  # Careloop: >= 5 observations beyond the 90th percentile
    week_half_widths: tuple[int, ...] = (0, 1, 2)  # pooling steps a-c
    max_week: int = 52  # later observations are not used


DEFAULT_RULE = MinimumDataRule()


class BandBasis(StrEnum):
    SERVICE_CELL = "service_cell"
    SERVICE_POOLED_WEEKS = "service_pooled_weeks"
    SERVICE_POOLED_STRATA = "service_pooled_strata"
    PUBLISHED_REFERENCE = "published_reference"
    NONE = "none"


class BandStatus(StrEnum):
    ON_TRACK = "on_track"
    WARNING = "warning"  # above the 75th percentile
    ALERT = "alert"  # above the 90th percentile, or at/above the reference threshold
    NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True)
class EpisodeTrajectory:
    """One closed episode's PHQ-9 totals as (days since the baseline, total), in time order."""

    baseline: float
    points: tuple[tuple[int, float], ...]


@dataclass
class BandModel:
    """Fitted counts: per stratum how many episodes, per (stratum, week) the scores seen."""

    rule: MinimumDataRule
    episodes_by_stratum: list[int]
    cells: dict[tuple[int, int], Counter[float]] = field(default_factory=dict)

    @property
    def episodes(self) -> int:
        return sum(self.episodes_by_stratum)


@dataclass(frozen=True)
class ExpectedBand:
    basis: BandBasis
    week: int
    stratum: str | None
    label: str
    source: str
    strata: tuple[str, ...] = ()
    weeks: tuple[int, int] | None = None
    observations: int = 0
    percentiles: Mapping[int, float] = field(default_factory=dict)
    alert_at_or_above: float | None = None  # published reference rule only
    unverified: str | None = None

    def status_of(self, score: float) -> BandStatus:
        """Where `score` lies: above p90 alert, above p75 warning; the reference rule alerts at
        or above its threshold; no band (or the baseline week itself) is not assessed."""
        if self.week == 0 or self.basis == BandBasis.NONE:
            return BandStatus.NOT_ASSESSED
        if self.basis == BandBasis.PUBLISHED_REFERENCE:
            assert self.alert_at_or_above is not None
            return BandStatus.ALERT if score >= self.alert_at_or_above else BandStatus.ON_TRACK
        if score > self.percentiles[ALERT_PERCENTILE]:
            return BandStatus.ALERT
        if score > self.percentiles[WARNING_PERCENTILE]:
            return BandStatus.WARNING
        return BandStatus.ON_TRACK


def stratum_of(baseline: float) -> int | None:
    """Index into STRATA of a baseline PHQ-9 (prorated values fall by their lower bound)."""
    index = None
    for position, stratum in enumerate(STRATA):
        if baseline >= stratum.low:
            index = position
    return index


def week_since_baseline(days: int) -> int:
    """Whole days since the baseline rounded to the nearest week (days 4–10 are week 1)."""
    if days < 0:
        raise ValueError("a score cannot precede its baseline")
    return (days + 3) // 7


def fit_bands(
    trajectories: Iterable[EpisodeTrajectory], rule: MinimumDataRule = DEFAULT_RULE
) -> BandModel:
    """Count closed episodes per stratum and their scores per (stratum, week), in one pass.

    1. Skip episodes whose baseline is below caseness (no stratum).
    2. Per episode keep the last score of each week up to `rule.max_week`.
    3. Add one observation per episode-week to its cell.
    """
    model = BandModel(rule=rule, episodes_by_stratum=[0] * len(STRATA))
    for trajectory in trajectories:
        stratum = stratum_of(trajectory.baseline)
        if stratum is None:
            continue
        model.episodes_by_stratum[stratum] += 1
        by_week = {week_since_baseline(days): total for days, total in trajectory.points}
        for week, total in by_week.items():
            if week <= rule.max_week:
                model.cells.setdefault((stratum, week), Counter())[total] += 1
    return model


def model_to_json(model: BandModel) -> dict[str, object]:
    """The fitted counts as plain JSON (stored by the nightly refit; no identities, only counts)."""
    return {
        "rule": {
            "min_stratum_episodes": model.rule.min_stratum_episodes,
            "min_cell_observations": model.rule.min_cell_observations,
            "week_half_widths": list(model.rule.week_half_widths),
            "max_week": model.rule.max_week,
        },
        "episodes_by_stratum": list(model.episodes_by_stratum),
        "cells": [
            [stratum, week, sorted([score, count] for score, count in counter.items())]
            for (stratum, week), counter in sorted(model.cells.items())
        ],
    }


def model_from_json(data: Mapping[str, object]) -> BandModel:
    """The inverse of `model_to_json`; a malformed document raises ValueError."""
    try:
        rule = data["rule"]
        assert isinstance(rule, Mapping)
        episodes = data["episodes_by_stratum"]
        cells = data["cells"]
        assert isinstance(episodes, list) and isinstance(cells, list)
        return BandModel(
            rule=MinimumDataRule(
                min_stratum_episodes=int(rule["min_stratum_episodes"]),
                min_cell_observations=int(rule["min_cell_observations"]),
                week_half_widths=tuple(int(w) for w in rule["week_half_widths"]),
                max_week=int(rule["max_week"]),
            ),
            episodes_by_stratum=[int(n) for n in episodes],
            cells={
                (int(stratum), int(week)): Counter({float(score): int(n) for score, n in counts})
                for stratum, week, counts in cells
            },
        )
    except (KeyError, TypeError, ValueError, AssertionError) as error:
        raise ValueError(f"not a stored band model: {error}") from error


def expected_band(model: BandModel, baseline: float, week: int) -> ExpectedBand:
    """The band for a patient with this baseline at this week, by the pooling steps a–f."""
    stratum = stratum_of(baseline)
    if stratum is None:
        return _none(week, None, "No band: baseline PHQ-9 below 10 (bands start at caseness)")
    neighbours = tuple(s for s in (stratum - 1, stratum, stratum + 1) if 0 <= s < len(STRATA))
    attempts = (((stratum,), None), (neighbours, BandBasis.SERVICE_POOLED_STRATA))
    for strata, pooled_basis in attempts:
        if sum(model.episodes_by_stratum[s] for s in strata) < model.rule.min_stratum_episodes:
            continue
        band = _service_band(model, stratum, strata, week, pooled_basis)
        if band is not None:
            return band
    return _reference_band(week, stratum)


def _service_band(
    model: BandModel,
    stratum: int,
    strata: tuple[int, ...],
    week: int,
    pooled_basis: BandBasis | None,
) -> ExpectedBand | None:
    for half_width in model.rule.week_half_widths:
        first, last = max(0, week - half_width), min(model.rule.max_week, week + half_width)
        counts = merge(
            *(model.cells.get((s, w), Counter()) for s in strata for w in range(first, last + 1))
        )
        observations = sum(counts.values())
        if observations < model.rule.min_cell_observations:
            continue
        basis = pooled_basis or (
            BandBasis.SERVICE_CELL if half_width == 0 else BandBasis.SERVICE_POOLED_WEEKS
        )
        labels = tuple(STRATA[s].label for s in strata)
        return ExpectedBand(
            basis=basis,
            week=week,
            stratum=STRATA[stratum].label,
            label=_service_label(labels, first, last, observations),
            source=SOURCE,
            strata=labels,
            weeks=(first, last),
            observations=observations,
            percentiles=percentiles(counts, PERCENTILES),
        )
    return None


def _service_label(strata: tuple[str, ...], first: int, last: int, observations: int) -> str:
    weeks = f"week {first}" if first == last else f"weeks {first}–{last} pooled"
    baseline = strata[0] if len(strata) == 1 else f"{', '.join(strata)} pooled"
    return (
        f"This service's closed episodes, baseline PHQ-9 {baseline}, {weeks} (n = {observations})"
    )


def _reference_band(week: int, stratum: int) -> ExpectedBand:
    threshold = reference.alert_threshold(week)
    if threshold is None:
        return _none(
            week,
            STRATA[stratum].label,
            "No band yet: too little service history, and the published reference starts at week 4",
        )
    return ExpectedBand(
        basis=BandBasis.PUBLISHED_REFERENCE,
        week=week,
        stratum=STRATA[stratum].label,
        label=(
            f"Published reference, not a service band: PHQ-9 ≥ {threshold} at week {week} "
            "predicts non-response (UNVERIFIED)"
        ),
        source=reference.SOURCE,
        alert_at_or_above=float(threshold),
        unverified=reference.UNVERIFIED,
    )


def _none(week: int, stratum: str | None, label: str) -> ExpectedBand:
    return ExpectedBand(
        basis=BandBasis.NONE, week=week, stratum=stratum, label=label, source=SOURCE
    )
