"""EPDS, CORE-10 and PSS-10 (reverse keying), K10 (1–5 items) and WSAS (item 1 N/A)."""

from __future__ import annotations

import pytest

from careloop.instruments.scoring import InvalidAnswers, score
from careloop.instruments.tests.helpers import reverse_keyed, spread

EPDS_REVERSED = (3, 5, 6, 7, 8, 9, 10)
CORE10_REVERSED = (2, 3)
PSS10_REVERSED = (4, 5, 7, 8)


# ---------------------------------------------------------------- EPDS


def epds_answers(total: int, item10: int = 0) -> list[int]:
    """Printed positions that give the wanted total, with item 10 scored `item10`."""
    return reverse_keyed([*spread(total - item10, 9, 3), item10], EPDS_REVERSED, 3)


def test_epds_reverse_keys_items_3_and_5_to_10() -> None:
    top_options = score("epds", [0] * 10)
    bottom_options = score("epds", [3] * 10)
    assert top_options.extras["item_scores"] == (0, 0, 3, 0, 3, 3, 3, 3, 3, 3)
    assert top_options.total == 21
    assert bottom_options.extras["item_scores"] == (3, 3, 0, 3, 0, 0, 0, 0, 0, 0)
    assert bottom_options.total == 9


@pytest.mark.parametrize(
    ("total", "band", "caseness"),
    [
        (0, None, False),
        (9, None, False),
        (10, "possible depression", True),
        (12, "possible depression", True),
        (13, "probable depression", True),
        (27, "probable depression", True),
    ],
)
def test_epds_cutoffs(total: int, band: str | None, caseness: bool) -> None:
    result = score("epds", epds_answers(total))
    assert (result.total, result.band, result.caseness) == (total, band, caseness)
    assert result.risk_flags == ()


def test_epds_maximum_is_30() -> None:
    assert score("epds", epds_answers(30, item10=3)).total == 30


@pytest.mark.parametrize(("position", "item_score"), [(0, 3), (1, 2), (2, 1)])
def test_epds_item10_any_answer_but_never_raises_a_high_flag(
    position: int, item_score: int
) -> None:
    (flag,) = score("epds", [*([1] * 9), position]).risk_flags
    assert (flag.code, flag.item, flag.value, flag.severity) == (
        "epds_item10_positive",
        "10",
        item_score,
        "high",
    )


def test_epds_item10_never_means_no_flag_even_with_a_high_total() -> None:
    result = score("epds", epds_answers(27, item10=0))
    assert result.total == 27
    assert result.risk_flags == ()


def test_epds_rejects_missing_items() -> None:
    with pytest.raises(InvalidAnswers, match="item 10 missing"):
        score("epds", [0] * 9 + [None])


# ---------------------------------------------------------------- CORE-10


def core10_answers(total: int, item6: int = 0) -> list[int | None]:
    scores = spread(total - item6, 9, 4)
    return list(reverse_keyed([*scores[:5], item6, *scores[5:]], CORE10_REVERSED, 4))


def test_core10_reverse_keys_items_2_and_3() -> None:
    result = score("core10", [0] * 10)
    assert result.extras["item_scores"] == (0, 4, 4, 0, 0, 0, 0, 0, 0, 0)
    assert result.total == 8
    assert score("core10", [4, 0, 0, 4, 4, 0, 4, 4, 4, 4]).total == 36


@pytest.mark.parametrize(
    ("total", "caseness", "depression"),
    [
        (0, False, False),
        (10, False, False),
        (11, True, False),
        (12, True, False),
        (13, True, True),
        (36, True, True),
    ],
)
def test_core10_clinical_and_depression_cutoffs(
    total: int, caseness: bool, depression: bool
) -> None:
    result = score("core10", core10_answers(total))
    assert (result.total, result.caseness, result.band) == (total, caseness, None)
    assert result.extras["depression_cutoff_met"] is depression
    assert "band_unverified" in result.extras


def test_core10_maximum_is_40_with_risk_flag() -> None:
    result = score("core10", core10_answers(40, item6=4))
    assert result.total == 40
    assert [flag.code for flag in result.risk_flags] == ["core10_item6_positive"]


def test_core10_prorates_exactly_one_missing_item() -> None:
    answers = core10_answers(18)
    answers[0] = None  # the first item carried 4 points: 14 left over 9 answered items
    result = score("core10", answers)
    assert result.prorated is True
    assert result.total == pytest.approx(14 * 10 / 9)
    assert result.proration_rule is not None
    assert "coresystemtrust" in result.proration_rule


def test_core10_two_missing_items_cannot_be_scored() -> None:
    with pytest.raises(InvalidAnswers, match="items 1 and 10 missing; at most one"):
        score("core10", [None, 0, 0, 0, 0, 0, 0, 0, 0, None])


@pytest.mark.parametrize(("item6", "severity"), [(1, "high"), (4, "high")])
def test_core10_item6_above_zero_is_a_risk_flag(item6: int, severity: str) -> None:
    (flag,) = score("core10", core10_answers(item6, item6=item6)).risk_flags
    assert (flag.code, flag.item, flag.value, flag.severity) == (
        "core10_item6_positive",
        "6",
        item6,
        severity,
    )


def test_core10_missing_item6_is_flagged_and_prorated() -> None:
    answers = core10_answers(0)
    answers[5] = None
    result = score("core10", answers)
    assert result.prorated is True
    assert [(f.code, f.severity) for f in result.risk_flags] == [
        ("core10_item6_missing", "moderate")
    ]


# ---------------------------------------------------------------- PSS-10


def test_pss10_reverse_keys_items_4_5_7_8() -> None:
    result = score("pss10", [0] * 10)
    assert result.extras["item_scores"] == (0, 0, 0, 4, 4, 0, 4, 4, 0, 0)
    assert result.total == 16


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "low"), (13, "low"), (14, "moderate"), (26, "moderate"), (27, "high"), (40, "high")],
)
def test_pss10_non_official_bands(total: int, band: str) -> None:
    result = score("pss10", reverse_keyed(spread(total, 10, 4), PSS10_REVERSED, 4))
    assert (result.total, result.band, result.caseness) == (total, band, None)


def test_pss10_rejects_missing_items() -> None:
    with pytest.raises(InvalidAnswers, match="item 4 missing"):
        score("pss10", [0, 0, 0, None, 0, 0, 0, 0, 0, 0])


# ---------------------------------------------------------------- K10


@pytest.mark.parametrize(
    ("total", "band", "primary_care_band"),
    [
        (10, "low", "likely to be well"),
        (15, "low", "likely to be well"),
        (16, "moderate", "likely to be well"),
        (19, "moderate", "likely to be well"),
        (20, "moderate", "likely mild disorder"),
        (21, "moderate", "likely mild disorder"),
        (22, "high", "likely mild disorder"),
        (25, "high", "likely moderate disorder"),
        (29, "high", "likely moderate disorder"),
        (30, "very high", "likely severe disorder"),
        (50, "very high", "likely severe disorder"),
    ],
)
def test_k10_bands(total: int, band: str, primary_care_band: str) -> None:
    result = score("k10", spread(total, 10, 5, minimum=1))
    assert (result.total, result.band, result.caseness) == (total, band, None)
    assert result.extras["primary_care_band"] == primary_care_band


@pytest.mark.parametrize("value", [0, 6])
def test_k10_items_run_from_1_to_5(value: int) -> None:
    with pytest.raises(InvalidAnswers, match="allowed values are 1–5"):
        score("k10", [value] + [1] * 9)


# ---------------------------------------------------------------- WSAS


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "subclinical"),
        (9, "subclinical"),
        (10, "significant functional impairment"),
        (20, "significant functional impairment"),
        (21, "moderately severe or worse"),
        (40, "moderately severe or worse"),
    ],
)
def test_wsas_mundt_bands(total: int, band: str) -> None:
    result = score("wsas", spread(total, 5, 8))
    assert (result.total, result.band, result.caseness) == (total, band, None)
    assert result.extras["max_total"] == 40


def test_wsas_item1_not_applicable_gives_a_0_to_32_range_and_no_verified_band() -> None:
    result = score("wsas", [None, 8, 8, 8, 8])
    assert result.total == 32
    assert result.extras["item1_not_applicable"] is True
    assert result.extras["max_total"] == 32
    assert result.band is None
    assert result.extras["band_unverified"] == "moderately severe or worse"
    assert result.prorated is False


def test_wsas_only_item1_may_be_left_out() -> None:
    with pytest.raises(InvalidAnswers, match="item 3 missing"):
        score("wsas", [1, 1, None, 1, 1])


def test_wsas_rejects_9() -> None:
    with pytest.raises(InvalidAnswers, match="allowed values are 0–8"):
        score("wsas", [9, 0, 0, 0, 0])
