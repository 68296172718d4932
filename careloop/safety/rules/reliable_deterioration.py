"""Gradual deterioration: a total that has risen reliably since the episode began (rule
`reliable_deterioration`). `sharp_deterioration` compares with the previous score only, so a
steady climb (10, 13, 16, 19, 22 over four weeks) never fires it; this rule compares with the
episode baseline, as the outcome engine does (docs/outcomes.md §2).

Once per episode and instrument: while the alert is open nothing new is raised (its escalation
is already running); after it is acknowledged, only a further reliable rise above the score it
alerted on raises another; and once the patient has improved back below the criterion a new
deterioration counts afresh. That keeps one deterioration from paging on every later submission.

The criterion is `instruments.scoring.reliable_change` (read there because safety may not
import monitoring, a higher layer; the rulebook records the approved copy and a test checks
they agree).
"""

from __future__ import annotations

from dataclasses import dataclass

from careloop.instruments.scoring.reliable_change import (
    RELIABLE_CHANGE_POINTS,
    RELIABLE_CHANGE_SOURCE,
)
from careloop.safety.rules.registry import RELIABLE_DETERIORATION
from careloop.safety.rules.signal import RiskSignal

MIN_RISE: dict[str, int] = dict(RELIABLE_CHANGE_POINTS)  # the rulebook holds the approved copy
SEVERITY_BY_BAND: dict[str, str] = dict(RELIABLE_DETERIORATION.parameters["severity_by_band"])


@dataclass(frozen=True)
class EpisodeScore:
    total: float
    completed_on: str  # ISO date, for the evidence the clinician reads


@dataclass(frozen=True)
class EarlierAlert:
    """The episode's last deterioration alert on this instrument (either deterioration rule)."""

    is_open: bool  # raised or notified: nobody has acknowledged it yet
    alerted_total: float | None  # the total it alerted on
    improved_since: bool  # a later score in the episode fell back below the criterion


def severity_for_band(band: str) -> str:
    return SEVERITY_BY_BAND.get(band, SEVERITY_BY_BAND["other"])


def rises_reliably(instrument_id: str, baseline_total: float, latest_total: float) -> bool:
    """Whether the total rose by the criterion since the baseline: without it, no signal."""
    threshold = MIN_RISE.get(instrument_id)
    return threshold is not None and latest_total - baseline_total >= threshold


def reliable_deterioration(
    instrument_id: str,
    instrument_version: str,
    *,
    baseline: EpisodeScore | None,
    latest: EpisodeScore,
    latest_band: str,
    earlier: EarlierAlert | None,
) -> RiskSignal | None:
    """The signal for a reliable rise since the episode baseline, or None (see module doc)."""
    if baseline is None or not rises_reliably(instrument_id, baseline.total, latest.total):
        return None
    threshold = MIN_RISE[instrument_id]
    change = latest.total - baseline.total
    if earlier is not None and not earlier.improved_since:
        if earlier.is_open:
            return None
        if earlier.alerted_total is not None and latest.total - earlier.alerted_total < threshold:
            return None
    return RiskSignal(
        rule_id=RELIABLE_DETERIORATION.rule_id,
        rule_version=RELIABLE_DETERIORATION.version,
        severity=severity_for_band(latest_band),
        evidence={
            "instrument": instrument_version,
            "compared_with": "episode baseline",
            "baseline_total": baseline.total,
            "baseline_on": baseline.completed_on,
            "latest_total": latest.total,
            "latest_on": latest.completed_on,
            "latest_band": latest_band,
            "change": change,
            "threshold": threshold,
            "source": RELIABLE_CHANGE_SOURCE,
            # The keys the clinician's one-line reason reads for every deterioration alert.
            "previous_total": baseline.total,
            "total": latest.total,
            "criterion": threshold,
            "criterion_label": "NHS Talking Therapies reliable change (UNVERIFIED details)",
        },
        discriminator="episode",
    )
