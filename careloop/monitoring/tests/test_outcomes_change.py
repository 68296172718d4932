"""Change from baseline and reliable change (clinical_spec.md §16 worked example, §15 criteria)."""

from __future__ import annotations

import math

import pytest

from careloop.monitoring.outcomes.change import (
    NHS_TT_CRITERIA,
    ChangeBasis,
    ChangeDirection,
    jacobson_truax_change,
    minimum_reliable_change,
    nhs_tt_change,
    percent_change,
    reliable_change_index,
    standard_error_of_difference,
)

# clinical_spec.md §16 worked_example_core10: SD1 = 7.7, r = 0.90,
# "1.96*7.7*1.414*0.316 = 6.7 -> require >=7-point change".
CORE10_SD, CORE10_R = 7.7, 0.90


def test_standard_error_of_difference_matches_the_formula_by_hand() -> None:
    standard_error = 7.7 * math.sqrt(1 - 0.90)  # SE = SD1 * sqrt(1 - r)
    assert standard_error_of_difference(CORE10_SD, CORE10_R) == pytest.approx(
        math.sqrt(2 * standard_error**2)
    )
    assert standard_error_of_difference(CORE10_SD, CORE10_R) == pytest.approx(3.4435, abs=1e-4)


def test_core10_worked_example_needs_a_seven_point_change() -> None:
    points = minimum_reliable_change(CORE10_SD, CORE10_R)
    assert round(points, 1) == 6.7
    assert math.ceil(points) == 7


@pytest.mark.parametrize(
    ("pre", "post", "direction"),
    [
        (20, 13, ChangeDirection.RELIABLE_IMPROVEMENT),  # -7 points, RCI -2.03
        (20, 14, ChangeDirection.NO_RELIABLE_CHANGE),  # -6 points, RCI -1.74
        (12, 19, ChangeDirection.RELIABLE_DETERIORATION),  # +7 points
        (12, 12, ChangeDirection.NO_RELIABLE_CHANGE),
    ],
)
def test_jacobson_truax_classifies_the_core10_example(
    pre: int, post: int, direction: ChangeDirection
) -> None:
    result = jacobson_truax_change(pre, post, sd_baseline=CORE10_SD, reliability=CORE10_R)
    assert result.direction == direction
    assert result.basis == ChangeBasis.JACOBSON_TRUAX
    assert result.rci == pytest.approx((post - pre) / 3.44354, abs=1e-4)


def test_rci_of_an_eight_point_drop() -> None:
    rci = reliable_change_index(20, 12, sd_baseline=CORE10_SD, reliability=CORE10_R)
    assert rci == pytest.approx(-2.3232, abs=1e-4)


def test_jacobson_truax_boundary_is_strict() -> None:
    # §16: reliable if |RC| > 1.96. Put the criterion exactly on this change's RCI.
    rci = reliable_change_index(20, 13, sd_baseline=CORE10_SD, reliability=CORE10_R)
    kwargs = {"sd_baseline": CORE10_SD, "reliability": CORE10_R}
    on_the_line = jacobson_truax_change(20, 13, z=abs(rci), **kwargs)
    assert on_the_line.direction == ChangeDirection.NO_RELIABLE_CHANGE
    just_inside = jacobson_truax_change(20, 13, z=abs(rci) - 1e-9, **kwargs)
    assert just_inside.direction == ChangeDirection.RELIABLE_IMPROVEMENT


@pytest.mark.parametrize(("sd", "r"), [(0, 0.9), (-1, 0.9), (7.7, 1.0), (7.7, -0.1)])
def test_impossible_reference_values_are_refused(sd: float, r: float) -> None:
    with pytest.raises(ValueError, match=r"reference SD|reliability"):
        standard_error_of_difference(sd, r)


def test_nhs_tt_criteria_are_six_and_four_points_and_labelled_unverified() -> None:
    assert NHS_TT_CRITERIA["phq9"].min_points == 6
    assert NHS_TT_CRITERIA["gad7"].min_points == 4
    assert all("§15" in c.source and c.unverified for c in NHS_TT_CRITERIA.values())


@pytest.mark.parametrize(
    ("instrument", "pre", "post", "direction"),
    [
        ("phq9", 16, 10, ChangeDirection.RELIABLE_IMPROVEMENT),  # -6: at the criterion
        ("phq9", 16, 11, ChangeDirection.NO_RELIABLE_CHANGE),  # -5
        ("phq9", 10, 16, ChangeDirection.RELIABLE_DETERIORATION),  # +6
        ("gad7", 12, 8, ChangeDirection.RELIABLE_IMPROVEMENT),  # -4
        ("gad7", 12, 9, ChangeDirection.NO_RELIABLE_CHANGE),  # -3
        ("gad7", 8, 12, ChangeDirection.RELIABLE_DETERIORATION),  # +4
    ],
)
def test_nhs_tt_fixed_criteria(
    instrument: str, pre: int, post: int, direction: ChangeDirection
) -> None:
    assert nhs_tt_change(instrument, pre, post).direction == direction


def test_fixed_criterion_reports_the_implied_rci_with_its_label() -> None:
    result = nhs_tt_change("phq9", 18, 12)
    assert result.change_points == -6
    assert result.rci == pytest.approx(-1.96)
    assert result.threshold_points == 6
    assert result.basis == ChangeBasis.FIXED_THRESHOLD
    assert result.unverified is not None and "implied" in result.unverified
    assert "UNVERIFIED" in result.unverified


def test_percent_change_and_its_undefined_case() -> None:
    assert percent_change(20, 10) == -50.0
    assert percent_change(8, 10) == 25.0
    assert percent_change(0, 3) is None
