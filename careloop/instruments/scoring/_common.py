"""Helpers shared by the instrument modules: answer validation, missing items and banding."""

from __future__ import annotations

from collections.abc import Sequence

from careloop.instruments.scoring.errors import IncompleteAnswers, InvalidAnswers
from careloop.instruments.scoring.types import Answers, ItemScale, RiskFlag, Total

Values = tuple[int | None, ...]
Scores = tuple[int | None, ...]  # None: unanswered, unscored or not applicable
Bands = tuple[tuple[int, str], ...]  # (inclusive lower bound, label), highest bound first


def check_answers(
    label: str, answers: Answers, items: Sequence[ItemScale], *, omittable_trailing: int = 0
) -> Values:
    """Return the answers padded to len(items), or raise InvalidAnswers naming the first fault.

    1. Refuse anything that is not a sequence of answers (a string is not a sequence here).
    2. Accept len(items), or len(items) - omittable_trailing (unscored trailing items left out).
    3. Each answer is None or an int (never a bool or float) among the item's response values.
    """
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise InvalidAnswers(f"{label} answers must be a list of integers, not {answers!r}")
    _check_count(label, len(answers), len(items), omittable_trailing)
    for position, (value, scale) in enumerate(zip(answers, items, strict=False), start=1):
        _check_value(label, position, value, scale)
    padding: Values = (None,) * (len(items) - len(answers))
    return tuple(answers) + padding


def _check_count(label: str, count: int, expected: int, omittable_trailing: int) -> None:
    if count == expected or (omittable_trailing and count == expected - omittable_trailing):
        return
    if omittable_trailing:
        scored = expected - omittable_trailing
        raise InvalidAnswers(
            f"{label} expects {scored} answers, or {expected} including the unscored "
            f"difficulty item; got {count}"
        )
    raise InvalidAnswers(f"{label} expects {expected} answers; got {count}")


def _check_value(label: str, position: int, value: object, scale: ItemScale) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAnswers(f"{label} item {position}: {value!r} is not an integer")
    if value not in scale.values:
        raise InvalidAnswers(
            f"{label} item {position}: {value} is out of range; allowed values are "
            f"{describe_values(scale.values)}"
        )


def describe_values(values: frozenset[int]) -> str:
    ordered = sorted(values)
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}–{ordered[-1]}"
    return ", ".join(str(value) for value in ordered)


def describe_items(positions: Sequence[int]) -> str:
    names = [str(position) for position in positions]
    if len(names) == 1:
        return f"item {names[0]}"
    return f"items {', '.join(names[:-1])} and {names[-1]}"


def missing_positions(values: Values, items: Sequence[ItemScale]) -> tuple[int, ...]:
    """1-based positions of scored items left unanswered (a permitted 'not applicable' is not)."""
    return tuple(
        position
        for position, (value, scale) in enumerate(zip(values, items, strict=True), start=1)
        if value is None and scale.scored and not scale.not_applicable_allowed
    )


def require_complete(
    label: str,
    values: Values,
    items: Sequence[ItemScale],
    risk_flags: tuple[RiskFlag, ...] = (),
) -> None:
    """Refuse to score when any scored item is missing (the spec gives no missing-item rule).

    `risk_flags`: flags of the answered risk items, carried by the error so that an incomplete
    response with a risk answer can still be stored and alerted on (errors.IncompleteAnswers).
    """
    missing = missing_positions(values, items)
    if missing:
        raise IncompleteAnswers(
            f"{label}: {describe_items(missing)} missing; {label} has no verified "
            "missing-item rule, so every scored item must be answered",
            missing,
            risk_flags,
        )


def item_scores(values: Values, items: Sequence[ItemScale]) -> Scores:
    """Item scores after reverse keying; None for unanswered, unscored or not-applicable items."""
    return tuple(
        scale.score(value) if value is not None and scale.scored else None
        for value, scale in zip(values, items, strict=True)
    )


def complete_item_scores(label: str, answers: Answers, items: Sequence[ItemScale]) -> Scores:
    """The item scores of a response every scored item of which is answered: the answers are
    checked (check_answers), refused if incomplete (require_complete), then scored (item_scores).
    For the instruments whose spec gives no missing-item rule and no risk item."""
    values = check_answers(label, answers, items)
    require_complete(label, values, items)
    return item_scores(values, items)


def answered_sum(scores: Sequence[int | None]) -> int:
    return sum(score for score in scores if score is not None)


def prorate(scores: Sequence[int | None], item_count: int) -> float:
    """Mean of the answered item scores x item_count, unrounded.

    Computed as sum x count / answered so that only one floating-point rounding happens.
    """
    answered = [score for score in scores if score is not None]
    return sum(answered) * item_count / len(answered)


def band_for(total: Total, bands: Bands) -> str:
    """Label of the highest band whose lower bound the total reaches."""
    for lower_bound, label in bands:
        if total >= lower_bound:
            return label
    raise ValueError(f"total {total} is below every band")
