"""NHS Talking Therapies per-episode outcomes, exactly as /work/shared/reference/clinical_spec.md
§15 defines them, on the paired measures PHQ-9 (depression) and GAD-7 (anxiety).

Definitions (§15 `definitions`; each is quoted with its status there):

* paired score: a PHQ-9 and a GAD-7 taken on the same day (the patient's local calendar day);
  outcomes compare the FIRST and the LAST paired score of the episode.
* caseness at start: first paired PHQ-9 ≥ 10 and/or GAD-7 ≥ 8 (§15 caseness; cut-offs §1, §4).
* finished a course of treatment: the referral ended having had ≥ 2 attended treatment sessions.
* recovery: a case at the first paired score AND below caseness on BOTH measures at the last.
* reliable improvement: a reliable decrease (PHQ-9 ≥ 6 or GAD-7 ≥ 4 points) on at least one
  measure AND no reliable increase on the other (the "and not the other" clause is UNVERIFIED).
* reliable deterioration: a reliable increase on at least one measure (details UNVERIFIED).
* reliable recovery: recovered AND reliably improved (NHS England KM SQL, §15).

Careloop choices (not from the spec, stated so they can be checked):

* an episode needs ≥ 2 paired scores for any outcome; with fewer, the outcome fields are None;
* when an episode has no recorded number of sessions, it is estimated as the number of distinct
  measurement days after the first (each weekly questionnaire is taken at a session).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from careloop.instruments.scoring import gad7, phq9
from careloop.monitoring.outcomes.change import (
    ChangeDirection,
    ReliableChange,
    nhs_tt_change,
)

PHQ9_CASENESS = phq9.CASENESS_THRESHOLD  # 10, clinical_spec.md §1 and §15
GAD7_CASENESS = gad7.CASENESS_THRESHOLD  # 8, clinical_spec.md §4 and §15
MIN_TREATMENT_SESSIONS = 2  # "finished a course of treatment", clinical_spec.md §15

SOURCES = {
    "caseness": "PHQ-9 ≥ 10 and/or GAD-7 ≥ 8 at the first paired score: clinical_spec.md §15",
    "finished_treatment": "ended with ≥ 2 attended treatment sessions: clinical_spec.md §15",
    "recovery": "case at first paired score, below caseness on both at last: clinical_spec.md §15",
    "reliable_improvement": (
        "PHQ-9 down ≥ 6 or GAD-7 down ≥ 4, and no reliable increase on the other: "
        "clinical_spec.md §15 (the 'not the other' clause UNVERIFIED)"
    ),
    "reliable_deterioration": (
        "PHQ-9 up ≥ 6 or GAD-7 up ≥ 4: clinical_spec.md §15 (details UNVERIFIED)"
    ),
    "reliable_recovery": "recovered and reliably improved: clinical_spec.md §15 (NHS England SQL)",
}


class SessionsBasis(StrEnum):
    RECORDED = "recorded"
    ESTIMATED = "estimated_from_measurement_days"


@dataclass(frozen=True)
class DatedScore:
    """One questionnaire total on the patient's local calendar day it was taken."""

    taken_on: date
    total: float


@dataclass(frozen=True)
class PairedScore:
    taken_on: date
    phq9: float
    gad7: float

    @property
    def is_case(self) -> bool:
        return self.phq9 >= PHQ9_CASENESS or self.gad7 >= GAD7_CASENESS


@dataclass(frozen=True)
class NhsTtOutcome:
    """One episode's NHS TT outcome. None = not assessable (see the module docstring)."""

    is_ended: bool
    sessions_attended: int
    sessions_basis: SessionsBasis
    first: PairedScore | None
    last: PairedScore | None
    caseness_at_start: bool | None
    phq9_case_at_start: bool | None
    gad7_case_at_start: bool | None
    recovered: bool | None = None
    reliable_improvement: bool | None = None
    reliable_deterioration: bool | None = None
    reliable_recovery: bool | None = None
    phq9_change: ReliableChange | None = None
    gad7_change: ReliableChange | None = None

    @property
    def finished_treatment(self) -> bool:
        return self.is_ended and self.sessions_attended >= MIN_TREATMENT_SESSIONS

    @property
    def has_outcome(self) -> bool:
        """Two paired scores exist, so the outcome indicators are defined."""
        return self.reliable_improvement is not None


def pair_scores(phq9: Sequence[DatedScore], gad7: Sequence[DatedScore]) -> list[PairedScore]:
    """Paired scores by day, oldest first.

    1. Per instrument keep the last score of each day (input is in time order, so a later
       score that day replaces an earlier one).
    2. A day with both a PHQ-9 and a GAD-7 is a paired score.
    """
    last_phq9 = {score.taken_on: score.total for score in phq9}
    last_gad7 = {score.taken_on: score.total for score in gad7}
    return [
        PairedScore(day, last_phq9[day], last_gad7[day])
        for day in sorted(last_phq9.keys() & last_gad7.keys())
    ]


def estimate_sessions(measurement_days: Iterable[date]) -> int:
    """Attended treatment sessions estimated as distinct measurement days after the first."""
    return max(0, len(set(measurement_days)) - 1)


def nhs_tt_outcome(
    phq9: Sequence[DatedScore],
    gad7: Sequence[DatedScore],
    *,
    is_ended: bool,
    recorded_sessions: int | None,
) -> NhsTtOutcome:
    """The NHS TT outcome of one episode from its PHQ-9 and GAD-7 totals in time order.

    1. Pair the scores by day; take the first and the last pair.
    2. Sessions: the recorded number, else estimated from measurement days (labelled).
    3. With < 2 pairs, only caseness at start (if one pair) is known; the rest is None.
    4. Otherwise judge change on each measure by the NHS TT criterion and apply §15.
    """
    pairs = pair_scores(phq9, gad7)
    if recorded_sessions is None:
        days = [score.taken_on for score in (*phq9, *gad7)]
        sessions, basis = estimate_sessions(days), SessionsBasis.ESTIMATED
    else:
        sessions, basis = recorded_sessions, SessionsBasis.RECORDED
    first = pairs[0] if pairs else None
    last = pairs[-1] if len(pairs) >= 2 else None
    outcome = NhsTtOutcome(
        is_ended=is_ended,
        sessions_attended=sessions,
        sessions_basis=basis,
        first=first,
        last=last,
        caseness_at_start=first.is_case if first else None,
        phq9_case_at_start=first.phq9 >= PHQ9_CASENESS if first else None,
        gad7_case_at_start=first.gad7 >= GAD7_CASENESS if first else None,
    )
    if first is None or last is None:
        return outcome
    return _with_change(outcome, first, last)


def _with_change(outcome: NhsTtOutcome, first: PairedScore, last: PairedScore) -> NhsTtOutcome:
    phq9_change = nhs_tt_change("phq9", first.phq9, last.phq9)
    gad7_change = nhs_tt_change("gad7", first.gad7, last.gad7)
    directions = (phq9_change.direction, gad7_change.direction)
    has_deteriorated = ChangeDirection.RELIABLE_DETERIORATION in directions
    has_improved = ChangeDirection.RELIABLE_IMPROVEMENT in directions and not has_deteriorated
    # Recovery is defined only for episodes that were a case at the start (§15 recovery rate
    # denominator excludes the others), so it is None for them rather than False.
    recovered = (not last.is_case) if first.is_case else None
    return replace(
        outcome,
        recovered=recovered,
        reliable_improvement=has_improved,
        reliable_deterioration=has_deteriorated,
        reliable_recovery=None if recovered is None else (recovered and has_improved),
        phq9_change=phq9_change,
        gad7_change=gad7_change,
    )
