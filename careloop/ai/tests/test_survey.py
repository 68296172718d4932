"""Design-based survey proportions: the linearised variance by hand, and the NCHS flags."""

from __future__ import annotations

import math

import pytest

from careloop.ai.fairness.distributions import clopper_pearson
from careloop.ai.fairness.survey import (
    DesignRow,
    Reliability,
    nchs_reliability,
    weighted_proportion,
)

# Two strata, two PSUs each, weight 1; (stratum, psu, in denominator, in numerator)
PEOPLE = [
    (1, 1, True, True),
    (1, 1, True, False),
    (1, 2, True, True),
    (1, 2, True, True),
    (2, 1, True, False),
    (2, 1, False, False),
    (2, 2, True, True),
    (2, 2, True, False),
]
DESIGN = [DesignRow(1.0, stratum, psu) for stratum, psu, _, _ in PEOPLE]
DENOMINATOR = [x for *_, x, _ in PEOPLE]
NUMERATOR = [y for *_, y in PEOPLE]


def test_ratio_and_its_linearised_standard_error_by_hand() -> None:
    # p = 4/7. PSU totals of (y − p·x)/7: 1−2p, 2−2p | −p, 1−2p (all ÷ 7); with two PSUs per
    # stratum each stratum adds (U1 − U2)²: 1/49 + (1 − p)²/49, so SE = √58 / 49.
    result = weighted_proportion(DESIGN, NUMERATOR, DENOMINATOR)
    assert result.estimate == pytest.approx(4 / 7)
    assert result.standard_error == pytest.approx(math.sqrt(58) / 49)
    assert result.n == 7
    assert result.degrees_of_freedom == 2  # 4 PSUs − 2 strata
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < 4 / 7 < result.ci_high
    assert result.reliability is Reliability.SUPPRESS  # n = 7 < 30


def test_weights_count() -> None:
    heavy = [DesignRow(3.0 if y else 1.0, s, p) for (s, p, _, y) in PEOPLE]
    result = weighted_proportion(heavy, NUMERATOR, DENOMINATOR)
    assert result.estimate == pytest.approx(12 / 15)


def test_a_group_no_one_is_in_is_suppressed_not_divided_by_zero() -> None:
    result = weighted_proportion(DESIGN, [False] * 8, [False] * 8)
    assert result.estimate is None
    assert result.reliability is Reliability.SUPPRESS


def test_numerator_must_sit_inside_the_denominator() -> None:
    with pytest.raises(ValueError, match="outside the denominator"):
        weighted_proportion(DESIGN, [True] * 8, DENOMINATOR)


@pytest.mark.parametrize(
    ("p", "low", "high", "n", "n_eff", "df", "expected"),
    [
        (0.5, 0.45, 0.55, 100, 100.0, 15, Reliability.OK),
        (0.5, 0.45, 0.55, 29, 29.0, 15, Reliability.SUPPRESS),  # n < 30
        (0.5, 0.45, 0.55, 100, 20.0, 15, Reliability.SUPPRESS),  # effective n < 30
        (0.5, 0.35, 0.65, 100, 90.0, 15, Reliability.SUPPRESS),  # 30 points wide
        (0.1, 0.02, 0.16, 100, 90.0, 15, Reliability.SUPPRESS),  # relative width 140 %
        (0.02, 0.0, 0.045, 400, 400.0, 15, Reliability.OK),  # narrow: relative rule off
        (0.5, 0.45, 0.55, 100, 100.0, 6, Reliability.REVIEW),  # df < 8
        (1.0, 0.9, 1.0, 100, 100.0, 15, Reliability.REVIEW),  # p = 1
        (0.98, 0.92, 0.999, 100, 100.0, 15, Reliability.REVIEW),  # 1 − p: relative width 395 %
    ],
)
def test_nchs_reliability(p, low, high, n, n_eff, df, expected) -> None:
    reliability, reasons = nchs_reliability(p, low, high, n, n_eff, df)
    assert reliability is expected
    assert bool(reasons) == (expected is not Reliability.OK)


def test_korn_graubard_reduces_to_clopper_pearson_for_a_simple_random_sample() -> None:
    # Each person their own PSU in one stratum, weight 1: V = p(1 − p)/(n − 1), so n* = n − 1,
    # df = n − 1 (no t adjustment) and the interval is Clopper–Pearson for p·(n − 1) of n − 1.
    n, hits = 50, 20
    design = [DesignRow(1.0, 1, person) for person in range(n)]
    result = weighted_proportion(design, [i < hits for i in range(n)], [True] * n)
    assert result.n_effective == pytest.approx(n - 1)
    assert result.degrees_of_freedom == n - 1
    expected = clopper_pearson(hits / n * (n - 1), n - 1)
    assert (result.ci_low, result.ci_high) == pytest.approx(expected, abs=1e-9)
    assert result.reliability is Reliability.OK
