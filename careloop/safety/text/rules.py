"""Run the rule tables over a text: every match, with its context qualifiers and weight.

1. Match every rule of the chosen languages inside each sentence.
2. Qualify each match (negation, hypothetical, question, person, time) and weigh it.
3. Drop a match that sits inside a stronger one ("kill myself" inside "tried to kill myself").
4. Keep context-dependent matches ("I have a plan") only if the text also holds a current,
   first-person, affirmed crisis match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from careloop.safety.text import context
from careloop.safety.text.context import Person
from careloop.safety.text.lexicon import Polarity, Rule
from careloop.safety.text.patterns_ar import RULES_AR
from careloop.safety.text.patterns_de import RULES_DE
from careloop.safety.text.patterns_en import ACTIVE, METHOD, PASSIVE, PASSIVE_MORE
from careloop.safety.text.patterns_en_acts import (
    ATTEMPT,
    DISTRESS,
    INTENT,
    PLAN,
    PREPARATION,
    SELF_HARM,
)
from careloop.safety.text.patterns_es import RULES_ES
from careloop.safety.text.patterns_fr import RULES_FR
from careloop.safety.text.patterns_pt import RULES_PT
from careloop.safety.text.result import Construct, Qualifier
from careloop.safety.text.scoring import rule_weight
from careloop.safety.text.segment import Segment

RULES: dict[str, tuple[Rule, ...]] = {
    "en": (
        *PASSIVE,
        *PASSIVE_MORE,
        *ACTIVE,
        *METHOD,
        *INTENT,
        *PLAN,
        *PREPARATION,
        *ATTEMPT,
        *SELF_HARM,
        *DISTRESS,
    ),
    "es": tuple(RULES_ES),
    "fr": tuple(RULES_FR),
    "pt": tuple(RULES_PT),
    "de": tuple(RULES_DE),
    "ar": tuple(RULES_AR),
}
SUPPORTED_LANGUAGES = tuple(RULES)
_NOT_CONTEXT = frozenset({Construct.DISTRESS, Construct.SELF_HARM})
_HEDGES = frozenset({Qualifier.NEGATED, Qualifier.THIRD_PERSON, Qualifier.GENERIC})


@dataclass(frozen=True)
class RuleHit:
    rule: Rule
    start: int
    end: int
    sentence_index: int
    qualifiers: tuple[Qualifier, ...]
    weight: float


def _qualifiers(rule: Rule, text: str, sentence: Segment, span: tuple[int, int]) -> list[Qualifier]:
    clause = context.clause_of(sentence, span[0])
    found = []
    # A conditional reaches back over commas ("If she leaves, I'll ..."), not forward.
    wide = context.clause_of(sentence, span[0], over_commas=True)
    if context.is_hypothetical(text, (wide[0], clause[1]), span):
        found.append(Qualifier.HYPOTHETICAL)
    if context.is_question(sentence):
        found.append(Qualifier.QUESTION)
    person = rule.person
    if person is Person.RESOLVE:
        person = context.person_of(text, clause[0], span[0], sentence.start)
    if person is Person.THIRD:
        found.append(Qualifier.THIRD_PERSON)
    elif person is Person.GENERIC:
        found.append(Qualifier.GENERIC)
    when = context.temporality(text, sentence, span)
    if when is not None:
        found.append(when)
    return found


def _match(
    rule: Rule, text: str, sentence: Segment, index: int, start: int, end: int
) -> RuleHit | None:
    cue = None
    if rule.polarity is not Polarity.FIXED:
        cue = context.negation_cue(text, context.clause_of(sentence, start)[0], start)
        if cue is None:  # German: "ich will mich nicht umbringen" (the cue inside the span)
            cue = context.inner_negation(text, start, end)
    qualifiers = _qualifiers(rule, text, sentence, (start, end))
    if rule.polarity is Polarity.FLIP:
        if cue is None:
            return None  # "I want to live" is not evidence of anything
        start = cue  # the evidence must show the negation that makes it count
    elif cue is not None:
        qualifiers.insert(0, Qualifier.NEGATED)
    weight = rule_weight(rule.construct, qualifiers, rule.weight)
    return RuleHit(rule, start, end, index, tuple(qualifiers), weight)


def _beats(other: tuple[int, RuleHit], hit: tuple[int, RuleHit]) -> bool:
    """`other` contains `hit` and is negated or counts at least as much (ties: wider, earlier)."""
    (j, a), (i, b) = other, hit
    if i == j or not (a.start <= b.start and b.end <= a.end):
        return False
    if Qualifier.NEGATED in a.qualifiers:
        return True  # "I haven't tried to kill myself": the negation governs every part
    if a.weight != b.weight:
        return a.weight > b.weight
    return (a.start, a.end) != (b.start, b.end) or j < i


def _drop_contained(hits: list[RuleHit]) -> list[RuleHit]:
    indexed = list(enumerate(hits))
    return [hit for i, hit in indexed if not any(_beats(other, (i, hit)) for other in indexed)]


def _is_context(hit: RuleHit) -> bool:
    return (
        not hit.rule.needs_context
        and hit.rule.construct not in _NOT_CONTEXT
        and not _HEDGES.intersection(hit.qualifiers)
    )


def match_rules(text: str, sentences: list[Segment], languages: Iterable[str]) -> list[RuleHit]:
    """All rule hits in `text` (already normalised), in reading order."""
    hits = []
    rules = [rule for language in languages for rule in RULES[language]]
    for index, sentence in enumerate(sentences):
        for rule in rules:
            # Matched in the sentence alone (offsets shifted back): a "\b" at its start must not
            # see the glued word before it ("dieI want to die").
            for found in rule.pattern.finditer(sentence.text):
                start, end = sentence.start + found.start(), sentence.start + found.end()
                hit = _match(rule, text, sentence, index, start, end)
                if hit is not None:
                    hits.append(hit)
    hits = _drop_contained(hits)
    if not any(_is_context(hit) for hit in hits):
        hits = [hit for hit in hits if not hit.rule.needs_context]
    return sorted(hits, key=lambda hit: (hit.start, hit.end))
