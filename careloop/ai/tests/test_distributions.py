"""The beta and t functions behind every CI, against published table values."""

from __future__ import annotations

import pytest

from careloop.ai.fairness.distributions import beta_cdf, beta_ppf, clopper_pearson, t_ppf


@pytest.mark.parametrize(
    ("df", "expected"),
    [  # Student's t, two-sided 95 % (any statistics table)
        (1, 12.706),
        (2, 4.303),
        (8, 2.306),
        (15, 2.131),
        (30, 2.042),
        (1_000_000, 1.960),
    ],
)
def test_t_quantile_matches_the_table(df, expected) -> None:
    assert t_ppf(0.975, df) == pytest.approx(expected, abs=5e-4)
    assert t_ppf(0.025, df) == pytest.approx(-expected, abs=5e-4)


@pytest.mark.parametrize(
    ("x", "a", "b", "expected"),
    [
        (0.3, 2, 5, 0.579825),  # 1 − Σ_{k<2} C(6,k) 0.3^k 0.7^(6−k)
        (0.5, 1, 1, 0.5),  # uniform
        (0.25, 1, 3, 1 - 0.75**3),
        (0.0, 2, 2, 0.0),
        (1.0, 2, 2, 1.0),
    ],
)
def test_beta_cdf(x, a, b, expected) -> None:
    assert beta_cdf(x, a, b) == pytest.approx(expected, abs=1e-9)


def test_beta_ppf_inverts_the_cdf() -> None:
    for q in (0.025, 0.5, 0.975):
        assert beta_cdf(beta_ppf(q, 3.5, 7.25), 3.5, 7.25) == pytest.approx(q, abs=1e-9)


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [  # exact binomial limits (Clopper & Pearson 1934; R binom.test)
        (5, 10, 0.187086, 0.812914),
        (0, 10, 0.0, 0.308497),
        (10, 10, 0.691503, 1.0),
        (1, 20, 0.001265, 0.248733),
    ],
)
def test_clopper_pearson(x, n, low, high) -> None:
    assert clopper_pearson(x, n) == pytest.approx((low, high), abs=1e-6)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        beta_cdf(0.5, 0, 1)
    with pytest.raises(ValueError, match="between 0 and trials"):
        clopper_pearson(11, 10)
