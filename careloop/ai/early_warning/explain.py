"""Each input's contribution to an early-warning estimate, in plain words (pure).

The contributions come from `LogisticModel.contributions` (exact, in log-odds, against an
average patient of the training data). Words: what the input was, then its direction, e.g.
"PHQ-9 fell 2 points in 3 weeks (raises the risk)". Sorted by size, largest first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from careloop.ai.early_warning.features import FEATURE_BY_NAME

SMALL_EFFECT = 0.05  # |log-odds| below this is "little effect" (≈ 1 percentage point near 50 %)


@dataclass(frozen=True)
class Contribution:
    feature: str
    value: float
    log_odds: float
    words: str  # the plain sentence shown to staff

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _n(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _weeks(features: Mapping[str, float]) -> str:
    weeks = features.get("weeks_observed", 0.0)
    rounded = max(1, round(weeks))
    return f"{rounded} week" + ("" if rounded == 1 else "s")


_ANSWERS = {0: "not at all", 1: "several days", 2: "more than half the days", 3: "nearly every day"}


def _answer(value: float) -> str:
    return _ANSWERS.get(int(value), _n(value))


def _change(measure: str) -> Callable[[float, Mapping[str, float]], str]:
    def words(value: float, features: Mapping[str, float]) -> str:
        weeks = _weeks(features)
        if value < 0:
            return f"{measure} fell {_n(-value)} points in {weeks}"
        if value > 0:
            return f"{measure} rose {_n(value)} points in {weeks}"
        return f"{measure} has not changed in {weeks}"

    return words


def _mood(value: float, features: Mapping[str, float]) -> str:
    if features.get("has_checkins", 1.0) == 0.0:
        return "no mood check-ins (average mood unknown)"
    return f"average mood check-in {value:.1f} out of 10"


_WORDS: dict[str, Callable[[float, Mapping[str, float]], str]] = {
    "phq9_change": _change("PHQ-9"),
    "gad7_change": _change("GAD-7"),
    "item9_baseline": lambda v, _: f"thoughts of self-harm at the start: {_answer(v)}",
    "anhedonia_latest": lambda v, _: f"little interest or pleasure, latest: {_answer(v)}",
    "sleep_latest": lambda v, _: f"sleep problems, latest: {_answer(v)}",
    "phq9_baseline": lambda v, _: f"PHQ-9 was {_n(v)} at the start",
    "gad7_baseline": lambda v, _: f"GAD-7 was {_n(v)} at the start",
    "checkins_per_week": lambda v, _: f"{v:.1f} mood check-ins a week",
    "checkin_mood": _mood,
    "has_checkins": lambda v, _: "did mood check-ins" if v else "no mood check-ins yet",
    "completion": lambda v, _: f"completed {v * 100:.0f} % of the questionnaires due",
    "weeks_observed": lambda _, f: f"{_weeks(f)} into treatment",
}


def describe(name: str, value: float, features: Mapping[str, float]) -> str:
    """What the input says, in words (no direction)."""
    words = _WORDS.get(name)
    if words is not None:
        return words(value, features)
    feature = FEATURE_BY_NAME.get(name)
    return f"{feature.label if feature else name}: {_n(value)}"


def direction(log_odds: float) -> str:
    if log_odds >= SMALL_EFFECT:
        return "raises the risk"
    if log_odds <= -SMALL_EFFECT:
        return "lowers the risk"
    return "little effect"


def explain(
    features: Mapping[str, float], contributions: Mapping[str, float]
) -> list[Contribution]:
    """One plain sentence per input, largest effect first."""
    rows = [
        Contribution(
            name,
            float(features[name]),
            float(log_odds),
            f"{describe(name, float(features[name]), features)} ({direction(log_odds)})",
        )
        for name, log_odds in contributions.items()
    ]
    return sorted(rows, key=lambda row: abs(row.log_odds), reverse=True)
