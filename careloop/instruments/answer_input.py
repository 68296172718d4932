"""Answers as other systems send them -> the response values `scoring.score` takes (no Django).

Why this exists (issue #18 item 7, hazard HZ-018): the scorer takes *response values*, which for
EPDS are option positions and for reverse-keyed items (EPDS 3, 5–10; CORE-10 2, 3; PSS-10 4, 5,
7, 8) differ from the *item scores* another system is likely to send. A bare number on such an
item cannot be read safely either way, so it is refused and the sender is asked for an explicit
form. Accepted, per answer (docs/api/answers.md):

* `null`: not answered.
* an integer: the response value, ONLY on items where response value and item score coincide
  (PHQ-9, GAD-7, the C-SSRS 0/1 ...). A JSON `true`/`false` is never a number.
* a string, or `{"code": "<code>"}`: the option's answer code from the Questionnaire
  definition (LOINC LA code or Careloop-local code, e.g. "LA6570-1", "epds-position-0").
* `{"score": <int>}`: the item score, i.e. the option's FHIR ordinalValue after reverse keying
  (for unscored items such as C-SSRS yes/no: the option's value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from careloop.instruments.library import AnswerOption, InstrumentDefinition, InstrumentItem


class AnswerInputError(ValueError):
    """One answer cannot be read; the message names the item and says what to send instead."""


def bare_number_is_ambiguous(item: InstrumentItem) -> bool:
    """True when some option's response value differs from its item score (reverse or position)."""
    return item.scored and any(
        option.score is not None and option.value != option.score for option in item.options
    )


def decode_answers(definition: InstrumentDefinition, answers: Sequence[object]) -> list[int | None]:
    """Map each answer, in item order, to its response value; refuse anything ambiguous."""
    if len(answers) > len(definition.items):
        raise AnswerInputError(
            f"{definition.title} has {len(definition.items)} items; got {len(answers)} answers"
        )
    return [
        _decode(definition, item, answer)
        for item, answer in zip(definition.items, answers, strict=False)
    ]


def _decode(definition: InstrumentDefinition, item: InstrumentItem, answer: object) -> int | None:
    where = f"{definition.title} item {item.link_id}"
    if answer is None:
        return None
    if isinstance(answer, bool):
        raise AnswerInputError(f"{where}: {str(answer).lower()} is not an answer; send a number")
    if isinstance(answer, int):
        if bare_number_is_ambiguous(item):
            raise AnswerInputError(
                f"{where}: a bare number is ambiguous here (the item is reverse-scored or "
                'position-coded); send {"code": "<answer code>"} or {"score": <item score>}'
            )
        return answer  # the scorer range-checks it and names the item if it is out of range
    if isinstance(answer, str):
        return _by_code(where, item, answer).value
    if isinstance(answer, Mapping) and len(answer) == 1:
        if "code" in answer and isinstance(answer["code"], str):
            return _by_code(where, item, answer["code"]).value
        if "score" in answer and _is_int(answer["score"]):
            return _by_score(where, item, answer["score"]).value
    raise AnswerInputError(
        f'{where}: send null, an integer, an answer code, {{"code": ...}} or {{"score": ...}}'
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _by_code(where: str, item: InstrumentItem, code: str) -> AnswerOption:
    option = item.option_for_code(code)
    if option is None:
        known = ", ".join(option.code for option in item.options)
        raise AnswerInputError(f"{where}: unknown answer code {code!r} (known: {known})")
    return option


def _by_score(where: str, item: InstrumentItem, score: object) -> AnswerOption:
    matches = [
        option
        for option in item.options
        if (option.score if option.score is not None else option.value) == score
    ]
    if len(matches) != 1:
        raise AnswerInputError(f"{where}: no single answer has the item score {score!r}")
    return matches[0]
