"""Linear scales and tick steps (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class LinearScale:
    """Maps a value in [domain_low, domain_high] to [range_low, range_high] (either may run
    backwards, as a y axis does in SVG)."""

    domain_low: float
    domain_high: float
    range_low: float
    range_high: float

    def __post_init__(self) -> None:
        if self.domain_high == self.domain_low:
            raise ValueError("a scale needs a domain of non-zero width")

    def __call__(self, value: float) -> float:
        share = (value - self.domain_low) / (self.domain_high - self.domain_low)
        return self.range_low + share * (self.range_high - self.range_low)

    def clamped(self, value: float) -> float:
        """As calling the scale, with the value held inside the domain first."""
        low, high = sorted((self.domain_low, self.domain_high))
        return self(min(max(value, low), high))


def tick_step(span: float, max_ticks: int = 8) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … giving at most `max_ticks` intervals over `span`."""
    if span <= 0:
        return 1
    magnitude = 10 ** max(0, math.floor(math.log10(span)) - 1)
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if span / step <= max_ticks:
                return int(step)
        magnitude *= 10


def ticks(low: float, high: float, max_ticks: int = 8) -> list[int]:
    """Whole-number ticks from the first multiple of the step at or above `low` up to `high`."""
    step = tick_step(high - low, max_ticks)
    first = math.ceil(low / step) * step
    return list(range(int(first), math.floor(high) + 1, step))
