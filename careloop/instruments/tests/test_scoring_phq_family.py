"""PHQ-9, PHQ-8, PHQ-2, GAD-7 and GAD-2: totals, bands, caseness, proration and risk flags."""

from __future__ import annotations

import pytest

from careloop.instruments.scoring import InvalidAnswers, score
from careloop.instruments.tests.helpers import spread


def phq9_answers(total: int, item9: int = 0) -> list[int | None]:
    """Nine answers with the given total and item-9 value."""
    return [*spread(total - item9, 8, 3), item9]


@pytest.mark.parametrize(
    ("total", "band", "caseness"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "moderately severe", True),
        (19, "moderately severe", True),
        (20, "severe", True),
        (24, "severe", True),
    ],
)
def test_phq9_band_and_caseness_boundaries(total: int, band: str, caseness: bool) -> None:
    result = score("phq9", phq9_answers(total))
    assert (result.total, result.band, result.caseness) == (total, band, caseness)
    assert result.prorated is False
    assert result.proration_rule is None
    assert result.risk_flags == ()


def test_phq9_maximum_is_27_severe_with_item9_flag() -> None:
    result = score("phq9", [3] * 9)
    assert (result.total, result.band, result.caseness) == (27, "severe", True)
    assert [flag.code for flag in result.risk_flags] == ["phq9_item9_positive"]


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_any_item9_answer_above_zero_raises_a_high_flag(item9: int) -> None:
    (flag,) = score("phq9", phq9_answers(item9, item9=item9)).risk_flags
    assert (flag.code, flag.item, flag.value, flag.severity) == (
        "phq9_item9_positive",
        "9",
        item9,
        "high",
    )
    assert "clinical_spec.md §1" in flag.source


def test_phq9_difficulty_item_is_accepted_but_never_added() -> None:
    without = score("phq9", [2] * 9)
    with_difficulty = score("phq9", [2] * 9 + [3])
    assert without.total == with_difficulty.total == 18
    assert with_difficulty.extras["difficulty"] == 3
    assert without.extras["difficulty"] is None


def test_phq9_difficulty_item_may_be_unanswered() -> None:
    assert score("phq9", [1] * 9 + [None]).total == 9


def test_phq9_difficulty_item_out_of_range_is_rejected() -> None:
    with pytest.raises(InvalidAnswers, match="item 10: 4 is out of range"):
        score("phq9", [1] * 9 + [4])


@pytest.mark.parametrize(
    ("answers", "expected_total"),
    [
        ([None, 2, 2, 2, 2, 2, 2, 2, 0], 14 * 9 / 8),
        ([None, None, 3, 3, 3, 3, 3, 3, 0], 18 * 9 / 7),
        ([1, 1, 1, 1, 1, 1, 1, 1, None], 9.0),
        ([None, 1, 1, 1, 1, 1, 1, 1, 2], 10.125),
    ],
)
def test_phq9_prorates_up_to_two_missing_items(
    answers: list[int | None], expected_total: float
) -> None:
    result = score("phq9", answers)
    assert result.prorated is True
    assert isinstance(result.total, float)
    assert result.total == pytest.approx(expected_total)
    assert result.proration_rule is not None
    assert "Arrieta" in result.proration_rule
    assert "UNVERIFIED" in result.proration_rule


def test_phq9_prorated_band_and_caseness_use_the_unrounded_total() -> None:
    just_under = score("phq9", [None, 1, 1, 1, 1, 1, 1, 1, 1])  # 8 x 9 / 8 = 9.0
    just_over = score("phq9", [None, 1, 1, 1, 1, 1, 1, 1, 2])  # 9 x 9 / 8 = 10.125
    assert (just_under.total, just_under.band, just_under.caseness) == (9.0, "mild", False)
    assert (just_over.band, just_over.caseness) == ("moderate", True)


def test_phq9_three_missing_items_cannot_be_scored() -> None:
    with pytest.raises(InvalidAnswers, match="items 1, 2 and 3 missing; at most 2"):
        score("phq9", [None, None, None, 1, 1, 1, 1, 1, 1])


def test_phq9_missing_risk_item_is_flagged_not_assumed_negative() -> None:
    (flag,) = score("phq9", [1] * 8 + [None]).risk_flags
    assert (flag.code, flag.value, flag.severity) == ("phq9_item9_missing", None, "moderate")
    assert "UNVERIFIED" in flag.source


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([1] * 8, "PHQ-9 expects 9 answers, or 10 including the unscored difficulty item; got 8"),
        ([1] * 11, "got 11"),
        ([1] * 8 + [4], "item 9: 4 is out of range; allowed values are 0–3"),
        ([-1] + [1] * 8, "item 1: -1 is out of range"),
        (["1"] + [1] * 8, "item 1: '1' is not an integer"),
        ([1.0] + [1] * 8, "item 1: 1.0 is not an integer"),
        ([True] + [1] * 8, "item 1: True is not an integer"),
        ("111111111", "must be a list of integers"),
    ],
)
def test_phq9_rejects_invalid_answers(answers: object, message: str) -> None:
    with pytest.raises(InvalidAnswers, match=message):
        score("phq9", answers)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("total", "band", "caseness", "gad_cutoff_met"),
    [
        (0, "minimal", False, False),
        (4, "minimal", False, False),
        (5, "mild", False, False),
        (7, "mild", False, False),
        (8, "mild", True, False),
        (9, "mild", True, False),
        (10, "moderate", True, True),
        (14, "moderate", True, True),
        (15, "severe", True, True),
        (21, "severe", True, True),
    ],
)
def test_gad7_kroenke_bands_and_nhs_caseness(
    total: int, band: str, caseness: bool, gad_cutoff_met: bool
) -> None:
    result = score("gad7", spread(total, 7, 3))
    assert (result.total, result.band, result.caseness) == (total, band, caseness)
    assert result.extras["gad_cutoff_met"] is gad_cutoff_met
    assert result.risk_flags == ()


def test_gad7_difficulty_item_may_be_included_or_omitted() -> None:
    assert score("gad7", [3] * 7).total == score("gad7", [3] * 7 + [2]).total == 21
    assert score("gad7", [3] * 7 + [2]).extras["difficulty"] == 2


def test_gad7_has_no_missing_item_rule() -> None:
    with pytest.raises(InvalidAnswers, match="item 4 missing; GAD-7 has no verified"):
        score("gad7", [1, 1, 1, None, 1, 1, 1])


def test_gad7_wrong_count_message_mentions_the_difficulty_item() -> None:
    with pytest.raises(InvalidAnswers, match="expects 7 answers, or 8 including"):
        score("gad7", [1] * 6)


@pytest.mark.parametrize(
    ("total", "caseness", "unverified_band"),
    [(0, False, "minimal"), (9, False, "mild"), (10, True, "moderate"), (24, True, "severe")],
)
def test_phq8_caseness_and_band_only_as_unverified(
    total: int, caseness: bool, unverified_band: str
) -> None:
    result = score("phq8", spread(total, 8, 3))
    assert (result.total, result.caseness, result.band) == (total, caseness, None)
    assert result.extras["band_unverified"] == unverified_band
    assert result.risk_flags == ()


def test_phq8_rejects_nine_answers_and_missing_items() -> None:
    with pytest.raises(InvalidAnswers, match="PHQ-8 expects 8 answers; got 9"):
        score("phq8", [0] * 9)
    with pytest.raises(InvalidAnswers, match="item 8 missing"):
        score("phq8", [0] * 7 + [None])


@pytest.mark.parametrize(
    ("answers", "total", "caseness", "sensitive"),
    [
        ([0, 0], 0, False, False),
        ([1, 1], 2, False, True),
        ([2, 1], 3, True, True),
        ([3, 3], 6, True, True),
    ],
)
def test_phq2_cutoffs(answers: list[int], total: int, caseness: bool, sensitive: bool) -> None:
    result = score("phq2", answers)
    assert (result.total, result.caseness) == (total, caseness)
    assert result.extras["sensitive_cutoff_met"] is sensitive


@pytest.mark.parametrize(
    ("answers", "total", "caseness"),
    [([0, 0], 0, False), ([2, 0], 2, False), ([0, 3], 3, True), ([3, 3], 6, True)],
)
def test_gad2_cutoff(answers: list[int], total: int, caseness: bool) -> None:
    result = score("gad2", answers)
    assert (result.total, result.caseness, result.band) == (total, caseness, None)


@pytest.mark.parametrize("instrument_id", ["phq2", "gad2"])
def test_two_item_screeners_reject_missing_and_out_of_range(instrument_id: str) -> None:
    with pytest.raises(InvalidAnswers, match="missing"):
        score(instrument_id, [1, None])
    with pytest.raises(InvalidAnswers, match="out of range"):
        score(instrument_id, [4, 0])
