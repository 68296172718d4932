"""NHS Talking Therapies outcomes (clinical_spec.md §15) on hand-built episodes, every branch."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from careloop.monitoring.outcomes.nhs_tt import (
    DatedScore,
    NhsTtOutcome,
    PairedScore,
    SessionsBasis,
    estimate_sessions,
    nhs_tt_outcome,
    pair_scores,
)
from careloop.monitoring.outcomes.service_metrics import NhsTtTally, Rate

START = date(2025, 1, 6)


def episode(
    *pairs: tuple[float, float], sessions: int | None = 6, is_ended: bool = True
) -> NhsTtOutcome:
    """An episode with one paired PHQ-9/GAD-7 per week, in the order given."""
    days = [START + timedelta(weeks=week) for week in range(len(pairs))]
    phq9 = [DatedScore(day, p) for day, (p, _) in zip(days, pairs, strict=True)]
    gad7 = [DatedScore(day, g) for day, (_, g) in zip(days, pairs, strict=True)]
    return nhs_tt_outcome(phq9, gad7, is_ended=is_ended, recorded_sessions=sessions)


def flags(outcome: NhsTtOutcome) -> tuple[bool | None, ...]:
    return (
        outcome.caseness_at_start,
        outcome.recovered,
        outcome.reliable_improvement,
        outcome.reliable_recovery,
        outcome.reliable_deterioration,
    )


# (first pair, last pair) -> (caseness, recovered, reliable improvement, reliable recovery,
# reliable deterioration). Cut-offs: PHQ-9 >= 10, GAD-7 >= 8; reliable change 6 / 4 points.
@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        pytest.param((8, 6), (5, 3), (False, None, False, None, False), id="not-a-case-at-start"),
        pytest.param((16, 12), (6, 5), (True, True, True, True, False), id="recovered-reliably"),
        pytest.param(
            (10, 8), (9, 7), (True, True, False, False, False), id="recovered-not-reliably"
        ),
        pytest.param(
            (20, 15), (12, 9), (True, False, True, False, False), id="improved-not-recovered"
        ),
        pytest.param((12, 9), (19, 10), (True, False, False, False, True), id="deteriorated-phq9"),
        pytest.param((12, 9), (12, 13), (True, False, False, False, True), id="deteriorated-gad7"),
        pytest.param((16, 6), (10, 10), (True, False, False, False, True), id="one-up-one-down"),
        pytest.param((7, 12), (6, 5), (True, True, True, True, False), id="gad7-only-case"),
        pytest.param(
            (14, 6), (8, 8), (True, False, True, False, False), id="phq9-only-case-now-gad7"
        ),
        pytest.param(
            (14, 5), (11, 4), (True, False, False, False, False), id="phq9-only-unchanged"
        ),
        pytest.param(
            (16, 11), (11, 8), (True, False, False, False, False), id="just-short-of-6-and-4"
        ),
    ],
)
def test_outcome_flags(
    first: tuple[float, float], last: tuple[float, float], expected: tuple[bool | None, ...]
) -> None:
    outcome = episode(first, (first[0], first[1]), last)
    assert flags(outcome) == expected
    assert outcome.finished_treatment


def test_gad7_only_and_phq9_only_cases_say_which_measure() -> None:
    gad_only = episode((7, 12), (6, 5))
    assert (gad_only.phq9_case_at_start, gad_only.gad7_case_at_start) == (False, True)
    phq_only = episode((14, 5), (11, 4))
    assert (phq_only.phq9_case_at_start, phq_only.gad7_case_at_start) == (True, False)


def test_first_and_last_pairs_are_used_not_the_middle() -> None:
    outcome = episode((18, 12), (3, 2), (25, 20), (9, 7))
    assert outcome.first == PairedScore(START, 18, 12)
    assert outcome.last == PairedScore(START + timedelta(weeks=3), 9, 7)
    assert outcome.recovered is True


@pytest.mark.parametrize(("sessions", "finished"), [(0, False), (1, False), (2, True), (9, True)])
def test_finished_treatment_needs_two_sessions(sessions: int, finished: bool) -> None:
    assert episode((15, 10), (5, 3), sessions=sessions).finished_treatment is finished


def test_an_open_episode_has_not_finished_treatment() -> None:
    outcome = episode((15, 10), (5, 3), sessions=8, is_ended=False)
    assert not outcome.finished_treatment
    assert outcome.recovered is True  # interim indicators are still computed


def test_one_pair_only_gives_caseness_and_nothing_else() -> None:
    outcome = episode((15, 10))
    assert outcome.caseness_at_start is True
    assert not outcome.has_outcome
    assert flags(outcome)[1:] == (None, None, None, None)


def test_scores_on_different_days_do_not_pair_and_the_last_of_a_day_counts() -> None:
    day1, day2 = START, START + timedelta(days=1)
    phq9 = [DatedScore(day1, 20), DatedScore(day1, 14), DatedScore(day2, 5)]
    gad7 = [DatedScore(day1, 9)]
    assert pair_scores(phq9, gad7) == [PairedScore(day1, 14, 9)]


def test_sessions_are_estimated_from_measurement_days_when_not_recorded() -> None:
    day = START
    phq9 = [DatedScore(day + timedelta(weeks=w), 15 - w) for w in range(4)]
    gad7 = [DatedScore(day + timedelta(weeks=w), 10 - w) for w in (0, 3)]
    outcome = nhs_tt_outcome(phq9, gad7, is_ended=True, recorded_sessions=None)
    assert (outcome.sessions_attended, outcome.sessions_basis) == (3, SessionsBasis.ESTIMATED)
    assert estimate_sessions([]) == 0
    recorded = nhs_tt_outcome(phq9, gad7, is_ended=True, recorded_sessions=1)
    assert (recorded.sessions_attended, recorded.sessions_basis) == (1, SessionsBasis.RECORDED)


def test_service_tally_numerators_and_denominators() -> None:
    tally = NhsTtTally()
    outcomes = [
        episode((8, 6), (5, 3)),  # finished, not a case
        episode((16, 12), (6, 5)),  # recovered, reliably
        episode((10, 8), (9, 7)),  # recovered, not reliably improved
        episode((20, 15), (12, 9)),  # reliably improved, not recovered
        episode((12, 9), (19, 10)),  # reliably deteriorated
        episode((16, 12), (6, 5), sessions=1),  # one session only: ended, not finished
        episode((16, 12), sessions=4),  # finished without a second paired score
    ]
    for outcome in outcomes:
        tally.add(outcome)
    tally.add_finished_without_scores(1, ended=3)
    assert (tally.ended, tally.finished) == (10, 7)
    assert tally.finished_without_outcome_pair == 2
    assert tally.finished_with_outcome_pair == 5
    assert tally.finished_cases == 4
    assert tally.recovery == Rate(2, 4)
    assert tally.reliable_recovery == Rate(1, 4)
    assert tally.reliable_improvement == Rate(2, 5)
    assert tally.reliable_deterioration == Rate(1, 5)
    assert tally.recovery.value == 0.5
    assert Rate(0, 0).value is None


def test_an_open_episode_cannot_be_tallied() -> None:
    with pytest.raises(ValueError, match="only ended"):
        NhsTtTally().add(episode((15, 10), (5, 3), is_ended=False))
