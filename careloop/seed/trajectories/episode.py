"""Synthetic treatment episodes: schedule, outcome path and weekly measurements.

Standard library only, no Django. Every draw happens in a fixed order, so the same generator
state always yields the same episode.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from careloop.seed.trajectories.answers import (
    AnswerProfile,
    draw_profile,
    item9_answer,
    phq9_answers,
    spread_total,
)
from careloop.seed.trajectories.draws import WeightedTable, normal, uniform_int

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
    profile = draw_profile(rng, path.phq9_baseline)
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


def _measure(
    rng: random.Random, schedule: _Schedule, path: _Path, profile: AnswerProfile, end_date: date
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
            phq9_noise = _NOISE_KEEP * phq9_noise + _NOISE_FRESH * PHQ9_NOISE_SD * normal(draw)
            gad7_noise = _NOISE_KEEP * gad7_noise + _NOISE_FRESH * GAD7_NOISE_SD * normal(draw)
            if draw() < MISSED_WEEK_PROBABILITY:
                continue
        progress = _progress(week / schedule.planned_sessions, path.steepness)
        phq9 = _on_path(path.phq9_baseline, path.phq9_target, progress, phq9_noise, PHQ9_MAX)
        gad7 = _on_path(path.gad7_baseline, path.gad7_target, progress, gad7_noise, GAD7_MAX)
        item9 = item9_answer(rng, phq9, week, profile.has_baseline_ideation)
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
