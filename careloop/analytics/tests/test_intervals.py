"""Wilson intervals and small-group suppression (pure, table-tested)."""

from __future__ import annotations

import math

import pytest

from careloop.analytics.intervals import Z_95, suppressed_groups, wilson_interval


def _wilson_by_quadratic(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Independent route: the Wilson limits are the roots in p of (k/n − p)² = z²·p(1 − p)/n,
    i.e. (n + z²)p² − (2k + z²)p + k²/n = 0."""
    a, b, c = n + z * z, -(2 * k + z * z), k * k / n
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Stat Med 17:857,
# Table I, method 3 (Wilson score, no continuity correction), to four decimals.
@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombes_published_values(k, n, low, high) -> None:
    interval = wilson_interval(k, n)
    assert interval is not None
    assert (round(interval[0], 4), round(interval[1], 4)) == (low, high)


@pytest.mark.parametrize(("k", "n"), [(15, 29), (20, 29), (4, 29), (10, 10), (3, 11), (500, 1000)])
def test_wilson_matches_the_quadratic_form(k, n) -> None:
    interval = wilson_interval(k, n, z=1.96)
    assert interval is not None
    expected = _wilson_by_quadratic(k, n)
    assert interval == pytest.approx(expected, abs=1e-12)


def test_wilson_edges() -> None:
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(10, 10) or (None, None)
    assert high == 1.0 and low == pytest.approx(0.7225, abs=1e-4)
    assert pytest.approx(1.96, abs=1e-4) == Z_95
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(3, 2)


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ([("a", 50), ("b", 30)], set()),  # nothing small
        ([("a", 50), ("b", 30), ("c", 4)], {"c", "b"}),  # one small: the next smallest too
        ([("a", 50), ("b", 30), ("c", 4), ("d", 9)], {"c", "d"}),  # two small hide each other
        ([("a", 50), ("b", 10), ("c", 10), ("d", 9)], {"d", "b"}),  # tie: first in order
        ([("a", 50), ("b", 9)], {"a", "b"}),  # only two groups: both go
        ([("a", 5)], {"a"}),  # one group, small
        ([("a", 50), ("b", 0)], set()),  # nobody in b: not listed, nothing to hide
        ([("a", 50), ("b", 10)], set()),  # 10 is shown
    ],
)
def test_suppression(sizes, hidden) -> None:
    assert suppressed_groups(sizes) == hidden
