"""Synthetic treatment episodes: session dates, weekly PHQ-9/GAD-7 totals and item answers.

Standard library only, no Django. `careloop.seed.population` draws one episode per patient from
that patient's own `random.Random`, and every draw below happens in a fixed order, so the same
generator state always yields the same episode.

The constants are calibrated (see careloop/seed/tests/test_population.py) so that among finished
courses about 50 % recover, about two thirds improve reliably and 5-8 % deteriorate reliably,
like the NHS Talking Therapies national figures in the clinical spec §15.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")

ITEM_MAX = 3
PHQ9_MAX = 27
GAD7_MAX = 21
PHQ9_CASENESS = 10  # NHS TT caseness, clinical spec §1: PHQ-9 >= 10
GAD7_CASENESS = 8  # NHS TT caseness, clinical spec §4: GAD-7 >= 8
PHQ9_RELIABLE_CHANGE = 6  # NHS TT reliable change, clinical spec §16
GAD7_RELIABLE_CHANGE = 4

# Schedule. A course has 6..weeks planned weekly sessions after the week-0 assessment.
MIN_PLANNED_SESSIONS = 6
DROPOUT_PROBABILITY = 0.33  # realised as ~35 % of ended courses, because drop-outs end sooner
MAX_DROPOUT_SESSION = 5
DISCHARGE_AFTER_DROPOUT_DAYS = 14  # discharged after two missed weekly sessions
MIN_WAIT_DAYS, MAX_WAIT_DAYS = 7, 42  # referral to assessment
WINDOW_EXTRA_WEEKS = 26  # referrals fall in the last (weeks + 26) weeks before end_date
MISSED_WEEK_PROBABILITY = 0.10
_DAY_DRIFT = (-1, 0, 0, 1)  # sessions drift a day either way
FIRST_MINUTE_UTC, LAST_MINUTE_UTC = 8 * 60, 20 * 60  # questionnaires are answered in the day

# Baseline severity of people referred to psychological therapy (spec §15: pre-treatment
# means about 15.4 on PHQ-9 and 14.0 on GAD-7 among cases).
PHQ9_BASELINE_MEAN, PHQ9_BASELINE_SD = 15.3, 5.0
GAD7_BASELINE_MEAN, GAD7_BASELINE_SD = 13.2, 4.4
BASELINE_CORRELATION = 0.65
NON_CASE_ACCEPTANCE = 0.1  # services rarely accept a referral below caseness

# Week-to-week measurement noise: AR(1), so a bad week tends to be followed by a bad-ish week.
PHQ9_NOISE_SD, GAD7_NOISE_SD = 1.8, 1.5
NOISE_AUTOCORRELATION = 0.5
_NOISE_KEEP, _NOISE_FRESH = NOISE_AUTOCORRELATION, math.sqrt(1.0 - NOISE_AUTOCORRELATION**2)

# Base item weights: where symptom points fall. Anhedonia, low mood, sleep and fatigue
# (PHQ-9 items 1-4) and worry and tension (GAD-7 items 1-4) are the most endorsed items.
PHQ9_ITEM_WEIGHTS = (1.25, 1.3, 1.25, 1.4, 0.95, 1.05, 0.95, 0.6)  # items 1-8; item 9 apart
GAD7_ITEM_WEIGHTS = (1.25, 1.2, 1.3, 1.2, 0.7, 1.0, 0.85)
ITEM_WEIGHT_JITTER = 0.3  # sigma of the per-patient log-normal weight jitter


class Ending(StrEnum):
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"
    ONGOING = "ongoing"


class OutcomeClass(StrEnum):
    """The trajectory a patient was drawn to follow; the realised outcome is noisy."""

    RECOVERED = "recovered"
    IMPROVED = "improved"
    NO_CHANGE = "no_change"
    DETERIORATED = "deteriorated"


class WeightedTable(Generic[T]):
    """Values with relative weights, drawn with one `random()` call each."""

    __slots__ = ("_cum_weights", "_total", "values")

    def __init__(self, rows: Sequence[tuple[T, float]]) -> None:
        self.values = tuple(value for value, _ in rows)
        self._cum_weights = tuple(accumulate(weight for _, weight in rows))
        self._total = self._cum_weights[-1]

    def draw(self, rng: random.Random) -> T:
        return self.values[bisect(self._cum_weights, rng.random() * self._total)]


OUTCOME_CLASSES = WeightedTable(
    [
        (OutcomeClass.RECOVERED, 64.0),
        (OutcomeClass.IMPROVED, 10.0),
        (OutcomeClass.NO_CHANGE, 17.0),
        (OutcomeClass.DETERIORATED, 9.0),
    ]
)


@dataclass(frozen=True, slots=True)
class SyntheticMeasurement:
    """One weekly questionnaire: week 0 is the assessment (baseline)."""

    week: int
    taken_at: datetime
    phq9_items: tuple[int, ...]
    gad7_items: tuple[int, ...]

    @property
    def phq9_total(self) -> int:
        return sum(self.phq9_items)

    @property
    def gad7_total(self) -> int:
        return sum(self.gad7_items)


@dataclass(frozen=True, slots=True)
class SyntheticEpisode:
    """One referral to therapy; `end_date` is None while the course is still open."""

    referral_date: date
    start_date: date
    end_date: date | None
    ending: Ending
    outcome_class: OutcomeClass
    planned_sessions: int
    measurements: tuple[SyntheticMeasurement, ...]


@dataclass(frozen=True, slots=True)
class ItemWeights:
    """Cumulative weights for where symptom points fall, and where absent points fall."""

    present: tuple[float, ...]
    absent: tuple[float, ...]

    @classmethod
    def from_weights(cls, weights: Sequence[float]) -> ItemWeights:
        return cls(tuple(accumulate(weights)), tuple(accumulate(1.0 / w for w in weights)))


@dataclass(frozen=True, slots=True)
class _Schedule:
    referral_date: date
    planned_sessions: int
    session_dates: tuple[date, ...]  # week 0 (assessment) to the last attended session
    closes_on: date  # last session, or discharge after dropping out
    has_dropped_out: bool


@dataclass(frozen=True, slots=True)
class _Path:
    outcome_class: OutcomeClass
    phq9_baseline: int
    gad7_baseline: int
    phq9_target: float
    gad7_target: float
    steepness: float  # higher = more of the change happens in the first sessions


@dataclass(frozen=True, slots=True)
class _Profile:
    phq9: ItemWeights  # items 1-8
    gad7: ItemWeights
    has_baseline_ideation: bool


def is_case(phq9_total: int, gad7_total: int) -> bool:
    """NHS TT caseness: above the cut-off on the depression and/or the anxiety measure."""
    return phq9_total >= PHQ9_CASENESS or gad7_total >= GAD7_CASENESS


def generate_episode(rng: random.Random, *, end_date: date, weeks: int) -> SyntheticEpisode:
    """Draw one episode whose measurements all fall on or before `end_date`.

    1. Draw the schedule: planned length, drop-out, referral and weekly session dates.
    2. Draw baseline scores, the outcome class and the end-of-course targets.
    3. Draw the patient's item profile, including item-9 ideation at baseline.
    4. Walk the weeks up to `end_date`, adding noise, skipping missed weeks.
    """
    schedule = _draw_schedule(rng, end_date, weeks)
    path = _draw_path(rng)
    profile = _draw_profile(rng, path.phq9_baseline)
    measurements = _measure(rng, schedule, path, profile, end_date)
    is_open = schedule.closes_on > end_date
    if is_open:
        ending = Ending.ONGOING
    else:
        ending = Ending.DROPPED_OUT if schedule.has_dropped_out else Ending.COMPLETED
    return SyntheticEpisode(
        referral_date=schedule.referral_date,
        start_date=schedule.session_dates[0],
        end_date=None if is_open else schedule.closes_on,
        ending=ending,
        outcome_class=path.outcome_class,
        planned_sessions=schedule.planned_sessions,
        measurements=measurements,
    )


def _draw_schedule(rng: random.Random, end_date: date, weeks: int) -> _Schedule:
    draw = rng.random
    planned = uniform_int(draw, min(MIN_PLANNED_SESSIONS, weeks), weeks)
    has_dropped_out = planned > 1 and draw() < DROPOUT_PROBABILITY
    last = (
        uniform_int(draw, 1, min(MAX_DROPOUT_SESSION, planned - 1)) if has_dropped_out else planned
    )
    wait_days = uniform_int(draw, MIN_WAIT_DAYS, MAX_WAIT_DAYS)
    window_days = (weeks + WINDOW_EXTRA_WEEKS) * 7
    start = end_date - timedelta(days=uniform_int(draw, 0, window_days - wait_days))
    # A session drifts at most a day either way, so weekly dates stay strictly ordered.
    dates = [start]
    dates.extend(
        start + timedelta(days=7 * w + _DAY_DRIFT[int(draw() * 4)]) for w in range(1, last + 1)
    )
    closes_on = dates[-1]
    if has_dropped_out:
        closes_on += timedelta(days=DISCHARGE_AFTER_DROPOUT_DAYS)
    referral_date = start - timedelta(days=wait_days)
    return _Schedule(referral_date, planned, tuple(dates), closes_on, has_dropped_out)


def _draw_path(rng: random.Random) -> _Path:
    phq9, gad7 = _draw_baseline(rng)
    outcome_class = OUTCOME_CLASSES.draw(rng)
    phq9_target, gad7_target = _TARGETS[outcome_class](rng, phq9, gad7)
    return _Path(
        outcome_class=outcome_class,
        phq9_baseline=phq9,
        gad7_baseline=gad7,
        phq9_target=min(max(phq9_target, 0.0), PHQ9_MAX),
        gad7_target=min(max(gad7_target, 0.0), GAD7_MAX),
        steepness=rng.uniform(1.5, 4.0),
    )


def _draw_baseline(rng: random.Random) -> tuple[int, int]:
    """Correlated baseline totals; a referral below caseness is usually redrawn."""
    spread = math.sqrt(1.0 - BASELINE_CORRELATION**2)
    for _ in range(3):
        depression, noise = rng.gauss(0.0, 1.0), rng.gauss(0.0, 1.0)
        anxiety = BASELINE_CORRELATION * depression + spread * noise
        phq9 = _clip(round(PHQ9_BASELINE_MEAN + PHQ9_BASELINE_SD * depression), PHQ9_MAX)
        gad7 = _clip(round(GAD7_BASELINE_MEAN + GAD7_BASELINE_SD * anxiety), GAD7_MAX)
        if is_case(phq9, gad7) or rng.random() < NON_CASE_ACCEPTANCE:
            break
    return phq9, gad7


def _recovered_targets(rng: random.Random, phq9: int, gad7: int) -> tuple[float, float]:
    return min(rng.uniform(1.0, 7.5), phq9), min(rng.uniform(1.0, 5.5), gad7)


def _improved_targets(rng: random.Random, phq9: int, gad7: int) -> tuple[float, float]:
    """A reliable drop on at least one measure, while staying a case on at least one."""
    phq9_target = phq9 - rng.uniform(6.5, 10.0)
    gad7_target = gad7 - rng.uniform(4.5, 7.0)
    if phq9_target < PHQ9_CASENESS and gad7_target < GAD7_CASENESS:
        if rng.random() < 0.5:
            phq9_target = max(PHQ9_CASENESS + rng.uniform(0.5, 3.0), phq9 - 3.0)
        else:
            gad7_target = max(GAD7_CASENESS + rng.uniform(0.5, 2.5), gad7 - 2.0)
    return phq9_target, gad7_target


def _no_change_targets(rng: random.Random, phq9: int, gad7: int) -> tuple[float, float]:
    return phq9 + rng.gauss(-1.0, 1.8), gad7 + rng.gauss(-0.8, 1.3)


def _deteriorated_targets(rng: random.Random, phq9: int, gad7: int) -> tuple[float, float]:
    if rng.random() < 0.6:
        return phq9 + rng.uniform(6.5, 9.5), gad7 + rng.uniform(0.0, 3.0)
    return phq9 + rng.uniform(0.0, 4.0), gad7 + rng.uniform(4.5, 6.5)


_TARGETS: dict[OutcomeClass, Callable[[random.Random, int, int], tuple[float, float]]] = {
    OutcomeClass.RECOVERED: _recovered_targets,
    OutcomeClass.IMPROVED: _improved_targets,
    OutcomeClass.NO_CHANGE: _no_change_targets,
    OutcomeClass.DETERIORATED: _deteriorated_targets,
}


def _draw_profile(rng: random.Random, phq9_baseline: int) -> _Profile:
    """Per-patient item weights (the same items stay high all course) and baseline item 9."""
    return _Profile(
        phq9=_jittered(rng, PHQ9_ITEM_WEIGHTS),
        gad7=_jittered(rng, GAD7_ITEM_WEIGHTS),
        has_baseline_ideation=rng.random() < _baseline_ideation_probability(phq9_baseline),
    )


def _jittered(rng: random.Random, weights: Sequence[float]) -> ItemWeights:
    """Scale each weight by its own log-normal factor."""
    draw = rng.random
    return ItemWeights.from_weights(
        [w * math.exp(ITEM_WEIGHT_JITTER * _normal(draw)) for w in weights]
    )


def _baseline_ideation_probability(phq9_total: int) -> float:
    """About 12 % overall at referral severity, rising with the total (0 below 1 point)."""
    return 0.0 if phq9_total == 0 else 0.02 + 0.01 * max(0, phq9_total - 8)


def _measure(
    rng: random.Random, schedule: _Schedule, path: _Path, profile: _Profile, end_date: date
) -> tuple[SyntheticMeasurement, ...]:
    """Weekly answers on the noisy path, up to `end_date`, skipping missed weeks."""
    measurements: list[SyntheticMeasurement] = []
    draw = rng.random
    phq9_noise = gad7_noise = 0.0
    for week, day in enumerate(schedule.session_dates):
        if day > end_date:
            break
        if week > 0:
            # AR(1) noise evolves through missed weeks too, so a gap does not reset it.
            phq9_noise = _NOISE_KEEP * phq9_noise + _NOISE_FRESH * PHQ9_NOISE_SD * _normal(draw)
            gad7_noise = _NOISE_KEEP * gad7_noise + _NOISE_FRESH * GAD7_NOISE_SD * _normal(draw)
            if draw() < MISSED_WEEK_PROBABILITY:
                continue
        progress = _progress(week / schedule.planned_sessions, path.steepness)
        phq9 = _on_path(path.phq9_baseline, path.phq9_target, progress, phq9_noise, PHQ9_MAX)
        gad7 = _on_path(path.gad7_baseline, path.gad7_target, progress, gad7_noise, GAD7_MAX)
        item9 = _item9_answer(rng, phq9, week, profile.has_baseline_ideation)
        measurements.append(
            SyntheticMeasurement(
                week=week,
                taken_at=_taken_at(draw, day),
                phq9_items=phq9_answers(rng, phq9, profile.phq9, item9),
                gad7_items=tuple(spread_total(rng, gad7, profile.gad7)),
            )
        )
    return tuple(measurements)


def _taken_at(draw: Callable[[], float], day: date) -> datetime:
    minute = uniform_int(draw, FIRST_MINUTE_UTC, LAST_MINUTE_UTC - 1)
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=UTC)


def _progress(fraction: float, steepness: float) -> float:
    """Share of the intended change reached: log-shaped, most of it in the early sessions."""
    return (1.0 - math.exp(-steepness * fraction)) / (1.0 - math.exp(-steepness))


def _on_path(baseline: int, target: float, progress: float, noise: float, maximum: int) -> int:
    return _clip(round(baseline + (target - baseline) * progress + noise), maximum)


def _clip(value: int, maximum: int) -> int:
    return min(max(value, 0), maximum)


def uniform_int(draw: Callable[[], float], low: int, high: int) -> int:
    """An integer in low..high inclusive from one uniform draw (cheaper than `randint`)."""
    return low + int(draw() * (high - low + 1))


def _normal(draw: Callable[[], float]) -> float:
    """A standard normal approximated by three uniforms (Irwin-Hall): fast, tails end at 3 sd."""
    return (draw() + draw() + draw() - 1.5) * 2.0


_ITEM9_MILD = WeightedTable([(1, 80.0), (2, 17.0), (3, 3.0)])
_ITEM9_SEVERE = WeightedTable([(1, 60.0), (2, 30.0), (3, 10.0)])


def _item9_answer(rng: random.Random, total: int, week: int, has_baseline_ideation: bool) -> int:
    """Self-harm thoughts: more likely at higher totals, fading with improvement."""
    if week == 0:
        is_positive = has_baseline_ideation
    elif has_baseline_ideation:
        is_positive = rng.random() < min(0.9, 0.04 * total)
    else:
        is_positive = rng.random() < 0.006 * max(0, total - 8)  # occasional new ideation
    if not is_positive:
        return 0
    return _ITEM9_SEVERE.draw(rng) if total >= 20 else _ITEM9_MILD.draw(rng)


def phq9_answers(
    rng: random.Random, total: int, weights: ItemWeights, item9: int
) -> tuple[int, ...]:
    """Nine answers summing exactly to `total`: item 9 as asked (when it fits), items 1-8 the rest.

    Item 9 is clamped, never the total: items 1-8 hold at most 24 points, and item 9 cannot
    exceed the total.
    """
    item9 = min(max(item9, total - 8 * ITEM_MAX), total, ITEM_MAX)
    return (*spread_total(rng, total - item9, weights), item9)


def spread_total(rng: random.Random, total: int, weights: ItemWeights) -> list[int]:
    """Answers 0-3, one per weighted item, summing exactly to `total`.

    Above half the maximum, the points that are *absent* are placed instead (with inverse
    weights), so a severe total leaves its missing points on the least typical items and the
    placement loop stays short.
    """
    size = len(weights.present)
    capacity = ITEM_MAX * size
    if not 0 <= total <= capacity:
        raise ValueError(f"a total of {total} does not fit {size} items of 0-{ITEM_MAX}")
    if 2 * total > capacity:
        return [ITEM_MAX - a for a in _place(rng, capacity - total, weights.absent)]
    return _place(rng, total, weights.present)


def _place(rng: random.Random, points: int, cum_weights: tuple[float, ...]) -> list[int]:
    size = len(cum_weights)
    answers = [0] * size
    scale, last, draw = cum_weights[-1], size - 1, rng.random
    overflow = 0
    for _ in range(points):
        # Inlined weighted choice (as in random.choices): this loop is the generator's hot path.
        item = bisect(cum_weights, draw() * scale, 0, last)
        if answers[item] < ITEM_MAX:
            answers[item] += 1
        else:
            overflow += 1
    item = int(draw() * size)
    while overflow:  # a full item passes its point on to the next item with room
        if answers[item] < ITEM_MAX:
            answers[item] += 1
            overflow -= 1
        item = (item + 1) % size
    return answers
