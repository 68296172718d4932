"""Pure, versioned risk rules: data in, signals out. No Django, no I/O (import-linter enforces it).

A rule change bumps its version in the rulebook (`registry.py`), with who approved it; every
alert stores the version of the rule that raised it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from careloop.safety.rules.registry import INSTRUMENT_RISK_ITEM, RULEBOOK, rulebook_problems
from careloop.safety.rules.signal import SEVERITIES, RiskSignal, most_urgent

__all__ = [
    "INSTRUMENT_RISK_ITEM_RULE",
    "INSTRUMENT_RISK_ITEM_RULE_VERSION",
    "RULEBOOK",
    "SEVERITIES",
    "RiskSignal",
    "most_urgent",
    "rulebook_problems",
    "signals_from_risk_flags",
]

INSTRUMENT_RISK_ITEM_RULE = INSTRUMENT_RISK_ITEM.rule_id
INSTRUMENT_RISK_ITEM_RULE_VERSION = INSTRUMENT_RISK_ITEM.version


def signals_from_risk_flags(
    instrument_version: str, risk_flags: Iterable[Mapping[str, Any]]
) -> list[RiskSignal]:
    """One signal per risk flag the scorer raised (PHQ-9 item 9 > 0, EPDS item 10 > 0, ...).

    The scorer decides what counts as a risk answer (it cites the source of each rule); this rule
    decides that every such answer becomes an alert, keeping the answer as evidence.
    """
    signals = []
    for flag in risk_flags:
        severity = str(flag.get("severity", "high"))
        if severity not in SEVERITIES:
            severity = "high"  # an unknown severity is treated as the most urgent, never dropped
        signals.append(
            RiskSignal(
                rule_id=INSTRUMENT_RISK_ITEM_RULE,
                rule_version=INSTRUMENT_RISK_ITEM_RULE_VERSION,
                severity=severity,
                evidence={
                    "instrument": instrument_version,
                    "flag": flag.get("code"),
                    "item": flag.get("item"),
                    "answer": flag.get("value"),
                },
                discriminator=str(flag.get("code") or flag.get("item") or ""),
            )
        )
    return signals
