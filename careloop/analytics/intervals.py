"""Confidence intervals and small-number suppression for the service dashboard (pure).

* `wilson_interval`: the Wilson score interval for a proportion (Wilson 1927; Newcombe 1998,
  method 3), which stays inside [0, 1] and behaves at 0 % and 100 %, unlike the normal
  ("Wald") interval. For k successes of n, with p = k/n and z the normal quantile:

      centre = (p + z²/2n) / (1 + z²/n)
      half   = z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²)
      interval = centre ± half

* `suppressed_groups`: which groups of one breakdown may not be shown.
  1. Primary: a group whose denominator is below `MIN_SHOWN` (10) is suppressed; neither its
     count nor its rate is shown, and the overall is suppressed the same way.
  2. Secondary: if exactly one group of a breakdown is suppressed, the overall minus the
     shown groups would give its count away, so the next smallest shown group is suppressed
     too (ties: the first in the given order). Two or more suppressed groups hide each other
     (only their sum can be worked out, never one of them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MIN_SHOWN = 10  # smallest denominator shown (NHS small-number practice for service reports)
Z_95 = 1.959963984540054  # the normal quantile for a two-sided 95 % interval

SUPPRESSION_RULE = (
    "groups with fewer than 10 people are not shown; when only one group of a breakdown would "
    "be hidden, the next smallest is hidden too, so the overall cannot reveal it"
)
CI_METHOD = "Wilson score interval, 95 %"


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval (low, high) for `successes` of `trials`; None with no trials."""
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError("need 0 <= successes <= trials")
    if trials == 0:
        return None
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    # At 0 % and 100 % one limit is exactly 0 or 1; say so rather than 0.9999999999999999.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def is_too_small(denominator: int) -> bool:
    """Primary suppression: fewer than MIN_SHOWN people (zero included: nothing to show)."""
    return denominator < MIN_SHOWN


def suppressed_groups(sizes: Sequence[tuple[str, int]]) -> set[str]:
    """The names of the groups of one breakdown not to show, given (name, denominator) of every
    group (all of them, so that they add up to the overall). A group with nobody in it is not
    listed at all, so it neither hides nor needs hiding. See the module docstring."""
    present = [(name, size) for name, size in sizes if size > 0]  # an empty group is not listed
    hidden = {name for name, size in present if is_too_small(size)}
    if len(hidden) == 1:
        shown = [
            (size, index, name) for index, (name, size) in enumerate(present) if name not in hidden
        ]
        if shown:
            hidden.add(min(shown)[2])
    return hidden
