"""Crisis language in free text: the detector's level decides whether an alert is raised.

The text signal can only add an alert. A `none` or `low` result returns no signal and nothing in
the safety domain ever lowers, closes or replaces an alert because of a text result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from careloop.safety.rules.registry import TEXT_SIGNAL
from careloop.safety.rules.signal import RiskSignal

TEXT_LEVELS = ("none", "low", "moderate", "high")
ALERT_LEVELS = frozenset(TEXT_SIGNAL.parameters["alert_levels"])


class UnknownTextLevel(ValueError):
    """The detector returned a level outside none/low/moderate/high."""


def signal_from_text_level(level: str, evidence: Mapping[str, Any]) -> RiskSignal | None:
    """A signal of the level's severity for moderate and high, None for none and low."""
    if level not in TEXT_LEVELS:
        raise UnknownTextLevel(f"text level must be one of {', '.join(TEXT_LEVELS)}, not {level!r}")
    if level not in ALERT_LEVELS:
        return None
    return RiskSignal(
        rule_id=TEXT_SIGNAL.rule_id,
        rule_version=TEXT_SIGNAL.version,
        severity=level,
        evidence={**evidence, "level": level},
    )
