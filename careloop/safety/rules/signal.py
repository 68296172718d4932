"""The value every rule returns: what fired, how urgent, and the evidence a clinician reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from careloop.instruments.scoring.types import Severity

SEVERITIES: tuple[str, ...] = tuple(Severity)  # least to most urgent


@dataclass(frozen=True)
class RiskSignal:
    rule_id: str
    rule_version: str
    severity: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    # What makes this signal unique for its trigger (e.g. the flag code within one assessment),
    # so a retried transaction can never store the same alert twice.
    discriminator: str = ""


def most_urgent(severities: list[str]) -> str:
    """The highest severity in the list ('low' for an empty list)."""
    return max(severities, key=SEVERITIES.index, default="low")
