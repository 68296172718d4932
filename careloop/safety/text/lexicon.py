"""The shape of a rule: an id, the C-SSRS construct it evidences, and a pattern we wrote."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from careloop.safety.text.context import Person
from careloop.safety.text.result import Construct


class Polarity(StrEnum):
    SUPPRESS = "suppress"  # a governing negation cancels the match ("I would never kill myself")
    FLIP = (
        "flip"  # life-affirming words that count only when negated ("I don't think I want to live")
    )
    FIXED = "fixed"  # the wording carries its own negation ("no reason to live")


@dataclass(frozen=True)
class Rule:
    rule_id: str  # "<language>.<construct>.<name>", stable: alerts and evidence cite it
    construct: Construct
    pattern: re.Pattern[str]
    person: Person = Person.RESOLVE
    polarity: Polarity = Polarity.SUPPRESS
    weight: float | None = None  # None: the construct's weight (scoring.CONSTRUCT_WEIGHTS)
    # Words that are only alarming next to suicidal talk ("I have a plan", "I bought pills") fire
    # only when the same text also holds a current, first-person, affirmed crisis match.
    needs_context: bool = False


def rule(
    rule_id: str,
    construct: Construct,
    regex: str,
    *,
    person: Person = Person.RESOLVE,
    polarity: Polarity = Polarity.SUPPRESS,
    weight: float | None = None,
    needs_context: bool = False,
) -> Rule:
    """Build a rule; patterns are case-insensitive and written with \\s+ between words."""
    return Rule(
        rule_id=rule_id,
        construct=construct,
        pattern=re.compile(regex, re.IGNORECASE),
        person=person,
        polarity=polarity,
        weight=weight,
        needs_context=needs_context,
    )
