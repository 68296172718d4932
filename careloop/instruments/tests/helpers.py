"""Answer builders shared by the scoring tests."""

from __future__ import annotations


def spread(total: int, count: int, maximum: int, *, minimum: int = 0) -> list[int]:
    """`count` item values between minimum and maximum that add up to `total`, filled greedily."""
    if not count * minimum <= total <= count * maximum:
        raise ValueError(f"cannot reach {total} with {count} items of {minimum}–{maximum}")
    values = [minimum] * count
    remaining = total - count * minimum
    for index in range(count):
        step = min(maximum - minimum, remaining)
        values[index] += step
        remaining -= step
    return values


def reverse_keyed(scores: list[int], reversed_items: tuple[int, ...], top: int) -> list[int]:
    """Response values that produce the given item scores, undoing reverse keying (1-based)."""
    return [
        top - score if position in reversed_items else score
        for position, score in enumerate(scores, start=1)
    ]
