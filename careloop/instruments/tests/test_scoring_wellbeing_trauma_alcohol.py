"""WHO-5, PCL-5, AUDIT-C and AUDIT: totals, cut-offs, clusters, sex, skip logic and zones."""

from __future__ import annotations

import pytest

from careloop.instruments.scoring import InvalidAnswers, InvalidContext, Sex, score
from careloop.instruments.tests.helpers import spread

# ---------------------------------------------------------------- WHO-5


@pytest.mark.parametrize(
    ("raw", "percentage", "poor_wellbeing"),
    [(0, 0, True), (12, 48, True), (13, 52, False), (25, 100, False)],
)
def test_who5_raw_percentage_and_poor_wellbeing_cutoff(
    raw: int, percentage: int, poor_wellbeing: bool
) -> None:
    result = score("who5", spread(raw, 5, 5))
    assert (result.total, result.caseness) == (raw, poor_wellbeing)
    assert result.extras["percentage"] == percentage


@pytest.mark.parametrize(
    ("answers", "low_item"), [([5, 5, 5, 5, 1], True), ([2, 2, 2, 2, 2], False), ([0] * 5, True)]
)
def test_who5_flags_any_item_scored_0_or_1(answers: list[int], low_item: bool) -> None:
    assert score("who5", answers).extras["any_item_0_or_1"] is low_item


@pytest.mark.parametrize(
    ("answers", "message"), [([6] * 5, "out of range"), ([5] * 4 + [None], "missing")]
)
def test_who5_rejects_invalid_answers(answers: list[int | None], message: str) -> None:
    with pytest.raises(InvalidAnswers, match=message):
        score("who5", answers)


# ---------------------------------------------------------------- PCL-5


@pytest.mark.parametrize(
    ("total", "cutoff", "caseness"),
    [
        (0, None, False),
        (32, None, False),
        (33, None, True),
        (80, None, True),
        (30, 31, False),
        (31, 31, True),
        (31, 32, False),
        (32, 32, True),
    ],
)
def test_pcl5_total_and_setting_specific_cutoff(
    total: int, cutoff: int | None, caseness: bool
) -> None:
    answers = spread(total, 20, 4)
    result = score("pcl5", answers) if cutoff is None else score("pcl5", answers, cutoff=cutoff)
    assert (result.total, result.caseness, result.band) == (total, caseness, None)
    assert result.extras["cutoff"] == (33 if cutoff is None else cutoff)
    assert result.risk_flags == ()


@pytest.mark.parametrize("cutoff", [30, 34, "33", True, 33.0])
def test_pcl5_rejects_cutoffs_outside_31_to_33(cutoff: object) -> None:
    with pytest.raises(InvalidContext, match="cutoff must be 31, 32 or 33"):
        score("pcl5", [0] * 20, cutoff=cutoff)


def test_pcl5_cluster_scores_sum_their_items() -> None:
    answers = [1] * 5 + [2] * 2 + [3] * 7 + [4] * 6
    clusters = score("pcl5", answers).extras["cluster_scores"]
    assert clusters == {"B": 5, "C": 4, "D": 21, "E": 24}


def dsm_answers(b: int, c: int, d: int, e: int) -> list[int]:
    """Answers with the given number of items endorsed (scored 2) in each cluster, others 1."""
    counts = {"B": (b, 5), "C": (c, 2), "D": (d, 7), "E": (e, 6)}
    return [2 if i < endorsed else 1 for endorsed, size in counts.values() for i in range(size)]


@pytest.mark.parametrize(
    ("clusters", "met"),
    [
        ((1, 1, 2, 2), True),
        ((5, 2, 7, 6), True),
        ((0, 1, 2, 2), False),
        ((1, 0, 2, 2), False),
        ((1, 1, 1, 2), False),
        ((1, 1, 2, 1), False),
    ],
)
def test_pcl5_dsm5_provisional_diagnosis_rule(
    clusters: tuple[int, int, int, int], met: bool
) -> None:
    assert score("pcl5", dsm_answers(*clusters)).extras["dsm5_provisional_diagnosis"] is met


def test_pcl5_rejects_a_score_of_5() -> None:
    with pytest.raises(InvalidAnswers, match="item 20: 5 is out of range; allowed values are 0–4"):
        score("pcl5", [0] * 19 + [5])


# ---------------------------------------------------------------- AUDIT-C


@pytest.mark.parametrize(
    ("answers", "sex", "caseness"),
    [
        ([1, 1, 1], Sex.MALE, False),
        ([2, 1, 1], Sex.MALE, True),
        ([1, 1, 0], Sex.FEMALE, False),
        ([1, 1, 1], Sex.FEMALE, True),
        ([0, 0, 0], Sex.FEMALE, False),
        ([4, 4, 4], Sex.MALE, True),
    ],
)
def test_audit_c_sex_specific_cutoffs(answers: list[int], sex: Sex, caseness: bool) -> None:
    result = score("audit_c", answers, sex=sex)
    assert result.caseness is caseness
    assert result.extras["sex_used"] == sex.value
    assert result.extras["cutoff_used"] == (4 if sex is Sex.MALE else 3)


def test_audit_c_accepts_sex_as_plain_string() -> None:
    assert score("audit_c", [1, 1, 1], sex="female").caseness is True


def test_audit_c_unknown_sex_leaves_caseness_undetermined_and_reports_both_cutoffs() -> None:
    result = score("audit_c", [1, 1, 1])
    assert result.total == 3
    assert result.caseness is None
    assert result.extras["sex_used"] is None
    assert result.extras["meets_female_cutoff"] is True
    assert result.extras["meets_male_cutoff"] is False
    assert "sex-specific" in str(result.extras["caseness_note"])


def test_audit_c_rejects_an_unknown_sex_value() -> None:
    with pytest.raises(InvalidContext, match="sex must be 'female' or 'male'"):
        score("audit_c", [1, 1, 1], sex="other")


@pytest.mark.parametrize(
    ("answers", "all_from_item1"), [([3, 0, 0], True), ([3, 1, 0], False), ([0, 0, 0], False)]
)
def test_audit_c_notes_when_all_points_come_from_item1(
    answers: list[int], all_from_item1: bool
) -> None:
    assert score("audit_c", answers, sex=Sex.MALE).extras["all_points_from_item1"] is all_from_item1


# ---------------------------------------------------------------- AUDIT


def audit_answers(items_1_to_8: list[int], item9: int = 0, item10: int = 0) -> list[int | None]:
    return [*items_1_to_8, item9, item10]


@pytest.mark.parametrize(
    ("answers", "total", "zone", "caseness"),
    [
        (audit_answers([0] * 8), 0, "I", False),
        (audit_answers([4, 3, 0, 0, 0, 0, 0, 0]), 7, "I", False),
        (audit_answers([4, 3, 1, 0, 0, 0, 0, 0]), 8, "II", True),
        (audit_answers([4, 4, 4, 0, 0, 0, 3, 0]), 15, "II", True),
        (audit_answers([4, 4, 4, 0, 0, 0, 4, 0]), 16, "III", True),
        (audit_answers([4, 4, 4, 0, 0, 0, 3, 0], item9=4), 19, "III", True),
        (audit_answers([4, 4, 4, 0, 0, 0, 4, 0], item9=4), 20, "IV", True),
        (audit_answers([4] * 8, item9=4, item10=4), 40, "IV", True),
    ],
)
def test_audit_zones_and_hazardous_cutoff(
    answers: list[int | None], total: int, zone: str, caseness: bool
) -> None:
    result = score("audit", answers)
    assert (result.total, result.band, result.caseness) == (total, f"zone {zone}", caseness)
    assert result.extras["zone"] == zone


@pytest.mark.parametrize("value", [1, 3])
@pytest.mark.parametrize("item", [9, 10])
def test_audit_items_9_and_10_allow_only_0_2_4(item: int, value: int) -> None:
    answers: list[int | None] = [0] * 10
    answers[item - 1] = value
    with pytest.raises(
        InvalidAnswers, match=f"item {item}: {value} is out of range; allowed values are 0, 2, 4"
    ):
        score("audit", answers)


@pytest.mark.parametrize(
    ("answers", "zone", "intervention_zone"),
    [
        (audit_answers([1, 0, 0, 2, 0, 0, 0, 0]), "I", "II"),
        (audit_answers([1, 0, 0, 0, 1, 0, 0, 0]), "I", "I"),
        (audit_answers([1, 0, 0, 0, 0, 0, 0, 0], item10=4), "I", "II"),
        (audit_answers([1, 0, 0, 0, 0, 0, 0, 0], item10=2), "I", "I"),
        (audit_answers([4, 4, 4, 0, 0, 2, 3, 0]), "III", "IV"),
        (audit_answers([4] * 8, item9=4, item10=4), "IV", "IV"),
    ],
)
def test_audit_escalation_to_next_intervention_zone(
    answers: list[int | None], zone: str, intervention_zone: str
) -> None:
    result = score("audit", answers)
    assert (result.extras["zone"], result.extras["intervention_zone"]) == (zone, intervention_zone)


def test_audit_never_drinker_may_skip_items_2_to_8() -> None:
    result = score("audit", [0, None, None, None, None, None, None, None, 2, 0])
    assert result.total == 2
    assert result.extras["skipped_items"] == (2, 3, 4, 5, 6, 7, 8)


def test_audit_items_4_to_8_may_be_skipped_when_items_2_and_3_are_zero() -> None:
    result = score("audit", [2, 0, 0, None, None, None, None, None, 0, 0])
    assert result.total == 2
    assert result.extras["skipped_items"] == (4, 5, 6, 7, 8)


@pytest.mark.parametrize(
    "answers",
    [
        [2, None, 0, 0, 0, 0, 0, 0, 0, 0],
        [2, 1, 0, None, 0, 0, 0, 0, 0, 0],
        [0, None, None, None, None, None, None, None, None, 0],
    ],
)
def test_audit_missing_items_outside_the_skip_logic_are_rejected(answers: list[int | None]) -> None:
    with pytest.raises(InvalidAnswers, match="missing"):
        score("audit", answers)


def test_audit_dependence_hint_needs_items_4_to_6_summing_to_4() -> None:
    assert score("audit", audit_answers([1, 1, 1, 2, 1, 1, 0, 0])).extras[
        "possible_dependence_hint"
    ]
    assert not score("audit", audit_answers([1, 1, 1, 1, 1, 1, 0, 0])).extras[
        "possible_dependence_hint"
    ]
