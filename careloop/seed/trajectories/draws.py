"""Fast draws from one `random.Random`: weighted tables, integers and an approximate normal.

Standard library only. Each helper makes a fixed number of draws, so callers that draw in a fixed
order stay reproducible.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class WeightedTable(Generic[T]):
    """Values with relative weights, drawn with one `random()` call each."""

    __slots__ = ("_cum_weights", "_total", "values")

    def __init__(self, rows: Sequence[tuple[T, float]]) -> None:
        self.values = tuple(value for value, _ in rows)
        self._cum_weights = tuple(accumulate(weight for _, weight in rows))
        self._total = self._cum_weights[-1]

    def draw(self, rng: random.Random) -> T:
        return self.values[bisect(self._cum_weights, rng.random() * self._total)]


def uniform_int(draw: Callable[[], float], low: int, high: int) -> int:
    """An integer in low..high inclusive from one uniform draw (cheaper than `randint`)."""
    return low + int(draw() * (high - low + 1))


def normal(draw: Callable[[], float]) -> float:
    """A standard normal approximated by three uniforms (Irwin-Hall): fast, tails end at 3 sd."""
    return (draw() + draw() + draw() - 1.5) * 2.0
