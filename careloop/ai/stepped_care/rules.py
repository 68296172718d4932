"""Declarative, versioned stepped-care rules (pure): data, not code.

A rule set is JSON (stored as a ModelVersion of kind stepped_care_rules, so it is versioned,
carded and signed off like a model):

    {"version": "1.0.0",
     "default_step": 2,
     "rules": [{"id": "severe_at_assessment", "moment": "assessment", "step": 3,
                "all": [{"fact": "phq9_baseline", "op": ">=", "value": 20}],
                "words": "...", "source": "...", "unverified": "..."}, ...]}

At a moment (assessment; review, from the rule's `from_day`), a rule fires when all its
conditions hold; the suggestion is the highest step any fired rule names (at assessment, the
default step when none fires; at review, "stay" when none fires). A fact the data lack (None)
never satisfies a condition, so missing data never steps anyone up or down by itself.

The facts (`facts_at`) come from the episode's PHQ-9/GAD-7 history. Thresholds not in
/work/shared/reference/clinical_spec.md are marked UNVERIFIED in the rule itself.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from careloop.ai.early_warning.features import LABEL_DAY, PHQ9_ITEM9, EpisodeHistory
from careloop.monitoring.outcomes.change import ChangeDirection
from careloop.monitoring.outcomes.nhs_tt import DatedScore, nhs_tt_outcome

OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
MOMENTS = ("assessment", "review")
REVIEW_LAST_DAY = LABEL_DAY  # the review window closes at week 12
FACTS = (
    "phq9_baseline",
    "gad7_baseline",
    "item9_baseline",
    "phq9_latest",
    "phq9_change",
    "phq9_percent_change",
    "reliable_improvement",
    "reliable_deterioration",
    "week",
)

DEFAULT_RULES: dict[str, Any] = {
    "version": "1.0.0",
    "default_step": 2,
    "rules": [
        {
            "id": "severe_depression_at_assessment",
            "moment": "assessment",
            "step": 3,
            "all": [{"fact": "phq9_baseline", "op": ">=", "value": 20}],
            "words": "PHQ-9 in the severe range (20 or more) at assessment",
            "source": "PHQ-9 severity band 'severe' 20-27: clinical_spec.md §1",
            "unverified": "Offering step 3 from the start for severe depression is Careloop's "
            "summary of NICE's stepped-care model (not in clinical_spec.md): UNVERIFIED",
        },
        {
            "id": "self_harm_thoughts_at_assessment",
            "moment": "assessment",
            "step": 3,
            "all": [{"fact": "item9_baseline", "op": ">=", "value": 2}],
            "words": "thoughts of self-harm on more than half the days at assessment",
            "source": "PHQ-9 item 9 answers: clinical_spec.md §1",
            "unverified": "Item 9 >= 2 as a reason for high-intensity therapy: UNVERIFIED "
            "(the safety alert is raised by the safety rules regardless)",
        },
        {
            "id": "not_improved_at_review",
            "moment": "review",
            "from_day": 70,
            "step": 3,
            "all": [
                {"fact": "reliable_improvement", "op": "==", "value": False},
                {"fact": "phq9_percent_change", "op": ">", "value": -50},
            ],
            "words": "not reliably improved (NHS TT) and PHQ-9 down by less than half "
            "at the 10-12 week review",
            "source": "clinical_spec.md §17 review_10_12_weeks ('change/intensify treatment if "
            "not meaningfully improved at ~10-12 weeks'), §15 reliable improvement, §17 "
            "response (>= 50 % reduction)",
            "unverified": "Exact AIMS wording UNVERIFIED (spec §17)",
        },
        {
            "id": "reliable_deterioration_at_review",
            "moment": "review",
            "from_day": 70,
            "step": 3,
            "all": [{"fact": "reliable_deterioration", "op": "==", "value": True}],
            "words": "reliably worse than at the start (NHS TT) at the review",
            "source": "clinical_spec.md §18 phq9_usable_rules (reliable deterioration) and §15",
        },
    ],
}


class InvalidRules(ValueError):
    pass


@dataclass(frozen=True)
class Fired:
    rule_id: str
    step: int
    words: str
    source: str
    unverified: str


@dataclass(frozen=True)
class StepSuggestion:
    moment: str
    day: int
    step: int | None  # None at review: stay on the current step
    fired: tuple[Fired, ...]
    facts: Mapping[str, Any]


def validate(rules: Mapping[str, Any]) -> None:
    """Refuse a rule set a clinician could not read or that could not be evaluated."""
    if not str(rules.get("version", "")).strip():
        raise InvalidRules("a rule set needs a version")
    if rules.get("default_step") not in (1, 2, 3, 4):
        raise InvalidRules("default_step must be 1-4")
    seen: set[str] = set()
    for rule in rules.get("rules", []):
        _validate_rule(rule, seen)


def _validate_rule(rule: Mapping[str, Any], seen: set[str]) -> None:
    rule_id = rule.get("id")
    if not rule_id or rule_id in seen:
        raise InvalidRules(f"every rule needs its own id ({rule_id!r})")
    seen.add(rule_id)
    if rule.get("moment") not in MOMENTS:
        raise InvalidRules(f"{rule_id}: moment must be one of {', '.join(MOMENTS)}")
    if rule.get("step") not in (1, 2, 3, 4):
        raise InvalidRules(f"{rule_id}: step must be 1-4")
    if not rule.get("words"):
        raise InvalidRules(f"{rule_id}: say in words what the rule means")
    if not rule.get("all"):
        raise InvalidRules(f"{rule_id}: a rule needs at least one condition")
    for condition in rule["all"]:
        if condition.get("fact") not in FACTS or condition.get("op") not in OPS:
            raise InvalidRules(f"{rule_id}: unknown fact or operator in {condition}")


def _scores(history: EpisodeHistory, start: date, until: int, name: str) -> list[DatedScore]:
    return [
        DatedScore(start + timedelta(days=q.day), q.total)
        for q in history.questionnaires
        if q.instrument_id == name and 0 <= q.day <= until
    ]


def facts_at(history: EpisodeHistory, start: date, day: int) -> dict[str, Any]:
    """What the rules may read on `day` of the episode (None where the data lack it)."""
    phq9 = [q for q in history.questionnaires if q.instrument_id == "phq9" and 0 <= q.day <= day]
    gad7 = [q for q in history.questionnaires if q.instrument_id == "gad7" and 0 <= q.day <= day]
    first = phq9[0] if phq9 and phq9[0].day <= 3 else None
    latest = phq9[-1] if phq9 else None
    outcome = nhs_tt_outcome(
        _scores(history, start, day, "phq9"),
        _scores(history, start, day, "gad7"),
        is_ended=False,
        recorded_sessions=None,
    )
    change = latest.total - first.total if first and latest and latest is not first else None
    item9 = first.answers[PHQ9_ITEM9] if first and len(first.answers) > PHQ9_ITEM9 else None
    return {
        "phq9_baseline": first.total if first else None,
        "gad7_baseline": gad7[0].total if gad7 and gad7[0].day <= 3 else None,
        "item9_baseline": item9,
        "phq9_latest": latest.total if latest else None,
        "phq9_change": change,
        "phq9_percent_change": (
            100 * change / first.total if change is not None and first and first.total else None
        ),
        "reliable_improvement": outcome.reliable_improvement,
        "reliable_deterioration": (
            outcome.reliable_deterioration
            if outcome.phq9_change is None
            else outcome.phq9_change.direction == ChangeDirection.RELIABLE_DETERIORATION
            or bool(outcome.reliable_deterioration)
        ),
        "week": day // 7,
    }


def _holds(condition: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    value = facts.get(condition["fact"])
    if value is None:
        return False
    return bool(OPS[condition["op"]](value, condition["value"]))


def evaluate(
    rules: Mapping[str, Any], moment: str, facts: Mapping[str, Any], day: int
) -> StepSuggestion:
    """The suggestion of `rules` at `moment` given `facts` (see the module docstring)."""
    fired = tuple(
        Fired(
            rule["id"],
            int(rule["step"]),
            rule["words"],
            rule.get("source", ""),
            rule.get("unverified", ""),
        )
        for rule in rules.get("rules", [])
        if rule["moment"] == moment
        and day >= int(rule.get("from_day", 0))
        and all(_holds(condition, facts) for condition in rule["all"])
    )
    if fired:
        step: int | None = max(item.step for item in fired)
    else:
        step = int(rules["default_step"]) if moment == "assessment" else None
    return StepSuggestion(moment, day, step, fired, dict(facts))


def review_days(rules: Mapping[str, Any]) -> int:
    """The first day a review rule may fire (the review window opens)."""
    days = [int(r.get("from_day", 0)) for r in rules.get("rules", []) if r["moment"] == "review"]
    return min(days) if days else REVIEW_LAST_DAY + 1


def at_assessment(rules: Mapping[str, Any], history: EpisodeHistory, start: date) -> StepSuggestion:
    return evaluate(rules, "assessment", facts_at(history, start, 3), 0)


def at_review(
    rules: Mapping[str, Any], history: EpisodeHistory, start: date, day: int
) -> StepSuggestion:
    return evaluate(rules, "review", facts_at(history, start, day), day)


def first_step_up(
    rules: Mapping[str, Any], history: EpisodeHistory, start: date
) -> tuple[int | None, int | None]:
    """(step at assessment, first review day the rules step up) for a past episode: the review
    is tried on each measurement day in the review window, as a clinician reviewing weekly."""
    assessment = at_assessment(rules, history, start)
    opens = review_days(rules)
    days = sorted({q.day for q in history.questionnaires if opens <= q.day <= REVIEW_LAST_DAY})
    for day in days:
        review = at_review(rules, history, start, day)
        if review.step is not None and review.step > (assessment.step or 0):
            return assessment.step, day
    return assessment.step, None


def summary_words(suggestion: StepSuggestion, labels: Mapping[int, str]) -> str:
    if suggestion.step is None:
        return "Stay on the current step"
    return f"Suggest {labels.get(suggestion.step, f'step {suggestion.step}')}"


def fired_words(fired: Sequence[Fired]) -> list[str]:
    return [item.words + (f" ({item.unverified})" if item.unverified else "") for item in fired]
