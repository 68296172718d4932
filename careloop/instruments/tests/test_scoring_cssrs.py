"""C-SSRS screener: branching checks and the risk level from the most severe 'yes'."""

from __future__ import annotations

import pytest

from careloop.instruments.scoring import InvalidAnswers, score

N = None  # not asked (skipped by the branching)


@pytest.mark.parametrize(
    ("answers", "level", "item"),
    [
        ([0, 0, N, N, N, 0, N], "none", None),
        ([1, 0, N, N, N, 0, N], "low", "1"),
        ([0, 1, 0, 0, 0, 0, N], "low", "2"),
        ([1, 1, 1, 0, 0, 0, N], "moderate", "3"),
        ([0, 0, N, N, N, 1, 0], "moderate", "6"),
        ([1, 1, 0, 1, 0, 0, N], "high", "4"),
        ([1, 1, 0, 0, 1, 0, N], "high", "5"),
        ([0, 0, N, N, N, 1, 1], "high", "6b"),
        ([1, 1, 1, 1, 1, 1, 1], "high", "4"),
    ],
)
def test_cssrs_risk_level(answers: list[int | None], level: str, item: str | None) -> None:
    result = score("cssrs_screener", answers)
    assert result.extras["risk_level"] == level
    assert (result.total, result.band, result.caseness) == (None, None, None)
    if item is None:
        assert result.risk_flags == ()
    else:
        (flag,) = result.risk_flags
        assert (flag.code, flag.item, flag.value, flag.severity) == (
            f"cssrs_{level}",
            item,
            1,
            level,
        )
        assert "clinical_spec.md §13" in flag.source


def test_cssrs_a_yes_outside_the_branching_is_never_ignored() -> None:
    result = score("cssrs_screener", [0, 0, N, 1, N, 0, N])
    assert result.extras["risk_level"] == "high"
    assert result.extras["positive_items"] == ("4",)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([N, 0, N, N, N, 0, N], "question\\(s\\) 1 must be answered"),
        ([0, 0, N, N, N, N, N], "question\\(s\\) 6 must be answered"),
        ([0, 1, N, 0, 0, 0, N], "question\\(s\\) 3 must be answered"),
        ([0, 1, 0, 0, 0, 1, N], "question\\(s\\) 6b must be answered"),
        ([0, 0, N, N, N, 0, 1], "6b .* is yes but question 6"),
        ([0, 2, N, N, N, 0, N], "item 2: 2 is out of range; allowed values are 0–1"),
        ([0, 0, N, N, N, 0], "expects 7 answers; got 6"),
    ],
)
def test_cssrs_rejects_incomplete_or_inconsistent_answers(
    answers: list[int | None], message: str
) -> None:
    with pytest.raises(InvalidAnswers, match=message):
        score("cssrs_screener", answers)
