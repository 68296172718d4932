"""Percentiles of a score distribution held as value counts (scores repeat, so counts are small).

Method: linear interpolation between closest ranks, Hyndman & Fan (1996) definition 7 — the
default of R `quantile`, NumPy `percentile` and spreadsheet PERCENTILE.INC — so a service
can check Careloop's bands with any of those tools.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import TypeVar

Score = TypeVar("Score", int, float)  # whole totals, or prorated ones

PERCENTILE_METHOD = "linear interpolation between closest ranks (Hyndman & Fan 1996, type 7)"


def percentile(counts: Mapping[Score, int], p: float) -> float:
    """The p-th percentile (0–100) of the values in `counts` ({value: how many}).

    1. n = number of values; the position is h = (n − 1) · p / 100 (0-based, in sorted order).
    2. Take the values at ranks ⌊h⌋ and ⌊h⌋ + 1 and interpolate by the fraction h − ⌊h⌋.
    """
    if not 0 <= p <= 100:
        raise ValueError("a percentile lies between 0 and 100")
    ordered = sorted((value, count) for value, count in counts.items() if count > 0)
    total = sum(count for _, count in ordered)
    if total == 0:
        raise ValueError("no values to take a percentile of")
    position = (total - 1) * p / 100
    lower_rank = math.floor(position)
    lower = _value_at_rank(ordered, lower_rank)
    if position == lower_rank:
        return lower
    upper = _value_at_rank(ordered, lower_rank + 1)
    return lower + (position - lower_rank) * (upper - lower)


def percentiles(counts: Mapping[Score, int], ps: tuple[int, ...]) -> dict[int, float]:
    return {p: percentile(counts, p) for p in ps}


def merge(*counters: Mapping[float, int]) -> Counter[float]:
    merged: Counter[float] = Counter()
    for counts in counters:
        merged.update(counts)
    return merged


def _value_at_rank(ordered: list[tuple[Score, int]], rank: int) -> float:
    """The value at 0-based `rank` of the sorted, expanded list, without expanding it."""
    seen = 0
    for value, count in ordered:
        seen += count
        if rank < seen:
            return value
    raise IndexError(rank)
