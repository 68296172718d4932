"""Property tests: PHQ-9 totals, bands and proration hold for every possible answer set."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from careloop.instruments.scoring import score
from careloop.instruments.scoring.phq9 import BANDS

BAND_ORDER = [label for _, label in reversed(BANDS)]  # minimal ... severe
NO_DATABASE = settings(database=None, max_examples=300, deadline=None)

phq9_answers = st.lists(st.integers(0, 3), min_size=9, max_size=9)


@NO_DATABASE
@given(phq9_answers)
def test_phq9_total_is_the_plain_sum_and_caseness_follows_it(answers: list[int]) -> None:
    result = score("phq9", answers)
    assert result.total == sum(answers)
    assert result.caseness is (sum(answers) >= 10)
    assert result.prorated is False
    assert any(f.code == "phq9_item9_positive" for f in result.risk_flags) is (answers[8] > 0)


@NO_DATABASE
@given(phq9_answers, st.integers(0, 8), st.integers(0, 3))
def test_phq9_band_never_falls_when_one_answer_rises(
    answers: list[int], position: int, increase: int
) -> None:
    higher = list(answers)
    higher[position] = min(3, higher[position] + increase)
    lower_band = score("phq9", answers).band
    higher_band = score("phq9", higher).band
    assert lower_band is not None
    assert higher_band is not None
    assert BAND_ORDER.index(higher_band) >= BAND_ORDER.index(lower_band)


@NO_DATABASE
@given(phq9_answers, st.sets(st.integers(0, 8), min_size=1, max_size=2))
def test_phq9_proration_is_mean_of_answered_items_times_nine(
    answers: list[int], missing: set[int]
) -> None:
    with_gaps: list[int | None] = [None if i in missing else a for i, a in enumerate(answers)]
    answered = [a for a in with_gaps if a is not None]
    result = score("phq9", with_gaps)
    assert result.prorated is True
    assert result.total == sum(answered) * 9 / len(answered)
    assert 0 <= result.total <= 27


@NO_DATABASE
@given(st.lists(st.integers(0, 3), min_size=10, max_size=10))
def test_epds_total_equals_sum_of_keyed_item_scores(positions: list[int]) -> None:
    reversed_items = {3, 5, 6, 7, 8, 9, 10}
    expected = sum(3 - p if i in reversed_items else p for i, p in enumerate(positions, start=1))
    assert score("epds", positions).total == expected
