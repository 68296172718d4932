"""Synthetic item answers: where a questionnaire total's points fall among its items.

Standard library only. Each patient keeps one item profile (the same items stay high all course);
PHQ-9 item 9 (thoughts of self-harm) is drawn apart, more likely at higher totals.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from careloop.seed.trajectories.draws import WeightedTable, normal

ITEM_MAX = 3

# Base item weights: where symptom points fall. Anhedonia, low mood, sleep and fatigue
# (PHQ-9 items 1-4) and worry and tension (GAD-7 items 1-4) are the most endorsed items.
PHQ9_ITEM_WEIGHTS = (1.25, 1.3, 1.25, 1.4, 0.95, 1.05, 0.95, 0.6)  # items 1-8; item 9 apart
GAD7_ITEM_WEIGHTS = (1.25, 1.2, 1.3, 1.2, 0.7, 1.0, 0.85)
ITEM_WEIGHT_JITTER = 0.3  # sigma of the per-patient log-normal weight jitter


@dataclass(frozen=True, slots=True)
class ItemWeights:
    """Cumulative weights for where symptom points fall, and where absent points fall."""

    present: tuple[float, ...]
    absent: tuple[float, ...]

    @classmethod
    def from_weights(cls, weights: Sequence[float]) -> ItemWeights:
        return cls(tuple(accumulate(weights)), tuple(accumulate(1.0 / w for w in weights)))


@dataclass(frozen=True, slots=True)
class AnswerProfile:
    phq9: ItemWeights  # items 1-8
    gad7: ItemWeights
    has_baseline_ideation: bool


def draw_profile(rng: random.Random, phq9_baseline: int) -> AnswerProfile:
    """Per-patient item weights (the same items stay high all course) and baseline item 9."""
    return AnswerProfile(
        phq9=_jittered(rng, PHQ9_ITEM_WEIGHTS),
        gad7=_jittered(rng, GAD7_ITEM_WEIGHTS),
        has_baseline_ideation=rng.random() < _baseline_ideation_probability(phq9_baseline),
    )


def _jittered(rng: random.Random, weights: Sequence[float]) -> ItemWeights:
    """Scale each weight by its own log-normal factor."""
    draw = rng.random
    return ItemWeights.from_weights(
        [w * math.exp(ITEM_WEIGHT_JITTER * normal(draw)) for w in weights]
    )


def _baseline_ideation_probability(phq9_total: int) -> float:
    """About 12 % overall at referral severity, rising with the total (0 below 1 point)."""
    return 0.0 if phq9_total == 0 else 0.02 + 0.01 * max(0, phq9_total - 8)


_ITEM9_MILD = WeightedTable([(1, 80.0), (2, 17.0), (3, 3.0)])
_ITEM9_SEVERE = WeightedTable([(1, 60.0), (2, 30.0), (3, 10.0)])


def item9_answer(rng: random.Random, total: int, week: int, has_baseline_ideation: bool) -> int:
    """Self-harm thoughts: more likely at higher totals, fading with improvement."""
    if week == 0:
        is_positive = has_baseline_ideation
    elif has_baseline_ideation:
        is_positive = rng.random() < min(0.9, 0.04 * total)
    else:
        is_positive = rng.random() < 0.006 * max(0, total - 8)  # occasional new ideation
    if not is_positive:
        return 0
    return _ITEM9_SEVERE.draw(rng) if total >= 20 else _ITEM9_MILD.draw(rng)


def phq9_answers(
    rng: random.Random, total: int, weights: ItemWeights, item9: int
) -> tuple[int, ...]:
    """Nine answers summing exactly to `total`: item 9 as asked (when it fits), items 1-8 the rest.

    Item 9 is clamped, never the total: items 1-8 hold at most 24 points, and item 9 cannot
    exceed the total.
    """
    item9 = min(max(item9, total - 8 * ITEM_MAX), total, ITEM_MAX)
    return (*spread_total(rng, total - item9, weights), item9)


def spread_total(rng: random.Random, total: int, weights: ItemWeights) -> list[int]:
    """Answers 0-3, one per weighted item, summing exactly to `total`.

    Above half the maximum, the points that are *absent* are placed instead (with inverse
    weights), so a severe total leaves its missing points on the least typical items and the
    placement loop stays short.
    """
    size = len(weights.present)
    capacity = ITEM_MAX * size
    if not 0 <= total <= capacity:
        raise ValueError(f"a total of {total} does not fit {size} items of 0-{ITEM_MAX}")
    if 2 * total > capacity:
        return [ITEM_MAX - a for a in _place(rng, capacity - total, weights.absent)]
    return _place(rng, total, weights.present)


def _place(rng: random.Random, points: int, cum_weights: tuple[float, ...]) -> list[int]:
    size = len(cum_weights)
    answers = [0] * size
    scale, last, draw = cum_weights[-1], size - 1, rng.random
    overflow = 0
    for _ in range(points):
        # Inlined weighted choice (as in random.choices): this loop is the generator's hot path.
        item = bisect(cum_weights, draw() * scale, 0, last)
        if answers[item] < ITEM_MAX:
            answers[item] += 1
        else:
            overflow += 1
    item = int(draw() * size)
    while overflow:  # a full item passes its point on to the next item with room
        if answers[item] < ITEM_MAX:
            answers[item] += 1
            overflow -= 1
        item = (item + 1) % size
    return answers
