"""Dry-run of a rule version on a service's past episodes (pure).

For each past episode: the step each version would have offered at assessment, and the first
review day it would have stepped up. The summary compares a candidate with the version in use:
"This version would have stepped up 212 patients, 31 of them earlier than the current one".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from careloop.ai.early_warning.features import EpisodeHistory
from careloop.ai.stepped_care.rules import first_step_up


@dataclass(frozen=True)
class PastEpisode:
    start: date
    history: EpisodeHistory


def _first_high(assessment: int | None, step_up_day: int | None) -> float:
    """The day the episode would first be at step 3+ (0 = from assessment; inf = never)."""
    if assessment is not None and assessment >= 3:
        return 0.0
    return float(step_up_day) if step_up_day is not None else float("inf")


def dry_run(
    candidate: Mapping[str, Any],
    current: Mapping[str, Any] | None,
    episodes: Sequence[PastEpisode],
) -> dict[str, Any]:
    stepped_up = earlier = later = at_assessment = newly = dropped = 0
    for episode in episodes:
        assessment, day = first_step_up(candidate, episode.history, episode.start)
        mine = _first_high(assessment, day)
        if assessment is not None and assessment >= 3:
            at_assessment += 1
        if day is not None:
            stepped_up += 1
        if current is None:
            continue
        theirs = _first_high(*first_step_up(current, episode.history, episode.start))
        if mine < theirs:
            earlier += 1
            newly += theirs == float("inf")
        elif mine > theirs:
            later += 1
            dropped += mine == float("inf")
    version = candidate.get("version", "?")
    summary = (
        f"Version {version} would have stepped up {stepped_up} of {len(episodes)} past patients "
        f"at review and offered step 3 at assessment to {at_assessment}"
    )
    if current is not None:
        summary += (
            f"; {earlier} of them would have reached step 3 earlier than with version "
            f"{current.get('version', '?')} (the one in use) and {later} later"
        )
    return {
        "version": version,
        "compared_with": current.get("version", "") if current else "",
        "episodes": len(episodes),
        "stepped_up": stepped_up,
        "step3_at_assessment": at_assessment,
        "earlier_than_current": earlier,
        "later_than_current": later,
        "newly_stepped_up": newly,
        "no_longer_stepped_up": dropped,
        "summary": summary + ".",
        "notes": [
            "Counted on the service's ended episodes; a 'step up' is the first weekly review "
            "in the window on which the rules suggest a higher step than at assessment.",
            "What clinicians actually did is not compared: the dry-run shows what the rules "
            "would have suggested.",
        ],
    }
