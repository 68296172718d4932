"""How much each piece of evidence counts, and how the score becomes a level. Pure numbers.

Levels follow the C-SSRS screener triage (clinical_spec.md §13) with one deliberate departure:
- high: intent or plan, or suicidal behaviour (attempt, preparation) that is current, recent or
  of unknown date (the screener's "within the past 3 months"; unknown is treated as recent);
- moderate: a method; behaviour more than 3 months ago; and (our departure) any current,
  first-person wish to be dead or thought of suicide. The screener calls ideation alone "low"
  only after questions 3-5 were asked and answered "no"; free text never answers them, so the
  detector asks a clinician to (an alert) instead of assuming "no";
- low: the same words hedged: hypothetical, generic, about someone else, in the remote past,
  plus warning signs (hopelessness, burden) and weak semantic similarity. Low never alerts.
These weights are a platform policy proposal: UNVERIFIED until the clinical safety officer signs
them off (hazard HZ-003 in reliability_security.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from careloop.safety.text.result import Construct, Level, Qualifier

LEVEL_FLOORS = ((0.75, Level.HIGH), (0.40, Level.MODERATE), (0.15, Level.LOW))
ALERT_SCORE = 0.40  # the operating point: moderate and above raise an alert

# (current or recent, remote past) weight of a first-person, affirmed match.
CONSTRUCT_WEIGHTS: dict[Construct, tuple[float, float]] = {
    Construct.PASSIVE_IDEATION: (0.50, 0.15),
    Construct.ACTIVE_IDEATION: (0.60, 0.18),
    Construct.METHOD: (0.65, 0.20),
    Construct.INTENT: (0.85, 0.25),
    Construct.PLAN: (0.85, 0.25),
    Construct.PREPARATORY_BEHAVIOUR: (0.85, 0.50),
    Construct.PAST_ATTEMPT: (0.80, 0.50),
    Construct.SELF_HARM: (0.50, 0.15),
    Construct.DISTRESS: (0.25, 0.10),
}
# "I want to kill myself right now": immediacy turns a thought or a method into intent.
IMMINENCE_RAISES = frozenset({Construct.ACTIVE_IDEATION, Construct.METHOD})

QUALIFIER_FACTORS: dict[Qualifier, float] = {
    Qualifier.NEGATED: 0.0,
    Qualifier.HYPOTHETICAL: 0.6,  # moves intent to moderate and ideation to low
    Qualifier.GENERIC: 0.5,
    Qualifier.THIRD_PERSON: 0.35,  # someone else's risk is evidence, never this patient's alert
    Qualifier.CONTRAST: 0.5,
}


def rule_weight(
    construct: Construct, qualifiers: Iterable[Qualifier], override: float | None = None
) -> float:
    """The weight of one rule match after its qualifiers."""
    found = set(qualifiers)
    current, remote = CONSTRUCT_WEIGHTS[construct]
    if override is not None:
        current, remote = override, min(remote, override)
    if Qualifier.REMOTE_PAST in found:
        weight = remote
    elif Qualifier.IMMINENT in found and construct in IMMINENCE_RAISES:
        weight = CONSTRUCT_WEIGHTS[Construct.INTENT][0]
    else:
        weight = current
    for qualifier in found:
        weight *= QUALIFIER_FACTORS.get(qualifier, 1.0)
    return weight


def level_for(score: float) -> Level:
    for floor, level in LEVEL_FLOORS:
        if score >= floor:
            return level
    return Level.NONE
