"""Change from baseline and reliable change (Jacobson–Truax), for scores where lower is better.

Sources: /work/shared/reference/clinical_spec.md §16 (Jacobson–Truax RCI, formula and worked
example) and §1/§4/§15 (the fixed NHS Talking Therapies criteria PHQ-9 6 and GAD-7 4 points).

Two ways to decide that a change is reliable:

* `jacobson_truax_change`: from a reference sample's baseline SD and the measure's reliability,
  S_diff = SD1 · √2 · √(1 − r_xx) and RCI = (post − pre) / S_diff; reliable when |RCI| > 1.96.
* `fixed_threshold_change`: the criterion services use in practice, a fixed number of points
  (NHS TT: PHQ-9 ≥ 6, GAD-7 ≥ 4). The SD and reliability behind those numbers are not in the
  spec, so the RCI reported alongside is *implied*: change ÷ (points / 1.96), which is ≥ 1.96 in
  size exactly when the fixed criterion is met. It is labelled as such wherever it is shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

Z_95 = 1.96  # two-tailed 95 % (clinical_spec.md §16: "reliable if |RC| > 1.96")
RCI_SOURCE = (
    "Jacobson & Truax 1991 with the Christensen & Mendoza 1986 √2 correction: "
    "clinical_spec.md §16 (psyctc.org/stats/rcsc1.htm)"
)


class ChangeDirection(StrEnum):
    RELIABLE_IMPROVEMENT = "reliable_improvement"
    NO_RELIABLE_CHANGE = "no_reliable_change"
    RELIABLE_DETERIORATION = "reliable_deterioration"


class ChangeBasis(StrEnum):
    JACOBSON_TRUAX = "jacobson_truax"  # SD and reliability of a reference sample
    FIXED_THRESHOLD = "fixed_threshold"  # a published number of points (NHS TT)


@dataclass(frozen=True)
class ReliableChangeCriterion:
    """A fixed reliable-change criterion in points for one measure (lower score = better)."""

    instrument_id: str
    min_points: int
    source: str
    unverified: str | None = None  # what about the criterion is UNVERIFIED, if anything


# clinical_spec.md §1 change.nhs_tt_reliable_change, §4, §15 reliable_improvement and §16
# nhs_tt_values. Both read from secondary sources only; the NHS TT Manual table itself was not
# retrieved (spec §21 item 1), hence the UNVERIFIED note.
NHS_TT_CRITERIA: Mapping[str, ReliableChangeCriterion] = MappingProxyType(
    {
        "phq9": ReliableChangeCriterion(
            "phq9",
            6,
            "NHS Talking Therapies reliable change PHQ-9 ≥ 6 points: clinical_spec.md §1, §15, "
            "§16 (secondary sources)",
            "secondary sources only; the NHS TT Manual wording was not read (spec §21 item 1)",
        ),
        "gad7": ReliableChangeCriterion(
            "gad7",
            4,
            "NHS Talking Therapies reliable change GAD-7 ≥ 4 points: clinical_spec.md §4, §15, "
            "§16 (secondary sources)",
            "secondary sources only; the NHS TT Manual wording was not read (spec §21 item 1)",
        ),
    }
)


@dataclass(frozen=True)
class ReliableChange:
    """Baseline to latest on one measure, and whether the change is reliable.

    `change_points` is latest − baseline, so a negative change means fewer symptoms.
    `rci` is the Jacobson–Truax index; for a fixed-threshold criterion it is the implied index
    (see the module docstring), and `basis` says which.
    """

    baseline: float
    latest: float
    change_points: float
    percent_change: float | None
    rci: float
    s_diff: float
    threshold_points: float
    direction: ChangeDirection
    basis: ChangeBasis
    source: str
    unverified: str | None = None


def change_from_baseline(baseline: float, latest: float) -> float:
    """Latest minus baseline: negative is fewer symptoms on PHQ-9, GAD-7 and similar scales."""
    return latest - baseline


def percent_change(baseline: float, latest: float) -> float | None:
    """Change as a percentage of the baseline; None when the baseline is 0 (undefined)."""
    if baseline == 0:
        return None
    return 100.0 * (latest - baseline) / baseline


def standard_error_of_difference(sd_baseline: float, reliability: float) -> float:
    """S_diff = SD1 · √2 · √(1 − r_xx) (clinical_spec.md §16).

    1. SE of measurement = SD1 · √(1 − r_xx).
    2. S_diff = √(2 · SE²): both the pre and the post score carry measurement error.
    """
    if sd_baseline <= 0:
        raise ValueError("the reference SD must be positive")
    if not 0 <= reliability < 1:
        raise ValueError("reliability must be at least 0 and below 1")
    standard_error = sd_baseline * math.sqrt(1 - reliability)
    return math.sqrt(2 * standard_error**2)


def minimum_reliable_change(sd_baseline: float, reliability: float, z: float = Z_95) -> float:
    """Smallest change in points that is reliable: z · S_diff (clinical_spec.md §16)."""
    return z * standard_error_of_difference(sd_baseline, reliability)


def reliable_change_index(
    baseline: float, latest: float, *, sd_baseline: float, reliability: float
) -> float:
    """Jacobson–Truax RCI = (post − pre) / S_diff (clinical_spec.md §16)."""
    return change_from_baseline(baseline, latest) / standard_error_of_difference(
        sd_baseline, reliability
    )


def jacobson_truax_change(
    baseline: float, latest: float, *, sd_baseline: float, reliability: float, z: float = Z_95
) -> ReliableChange:
    """Classify a change with the Jacobson–Truax RCI: reliable when |RCI| > z (strictly)."""
    s_diff = standard_error_of_difference(sd_baseline, reliability)
    change = change_from_baseline(baseline, latest)
    rci = change / s_diff
    return ReliableChange(
        baseline=baseline,
        latest=latest,
        change_points=change,
        percent_change=percent_change(baseline, latest),
        rci=rci,
        s_diff=s_diff,
        threshold_points=z * s_diff,
        direction=_direction(rci, is_reliable=abs(rci) > z),
        basis=ChangeBasis.JACOBSON_TRUAX,
        source=RCI_SOURCE,
    )


def fixed_threshold_change(
    baseline: float, latest: float, criterion: ReliableChangeCriterion
) -> ReliableChange:
    """Classify a change with a fixed criterion: reliable when |change| ≥ criterion points.

    The implied S_diff is points / 1.96, so the reported RCI reaches ±1.96 exactly at the
    criterion (the published ≥ rule, not Jacobson–Truax's strict >, decides the boundary).
    """
    change = change_from_baseline(baseline, latest)
    s_diff = criterion.min_points / Z_95
    return ReliableChange(
        baseline=baseline,
        latest=latest,
        change_points=change,
        percent_change=percent_change(baseline, latest),
        rci=change / s_diff,
        s_diff=s_diff,
        threshold_points=float(criterion.min_points),
        direction=_direction(change, is_reliable=abs(change) >= criterion.min_points),
        basis=ChangeBasis.FIXED_THRESHOLD,
        source=criterion.source,
        unverified=_implied_rci_note(criterion),
    )


def nhs_tt_change(instrument_id: str, baseline: float, latest: float) -> ReliableChange:
    """Change on PHQ-9 or GAD-7 judged by the NHS Talking Therapies criterion (6 or 4 points)."""
    return fixed_threshold_change(baseline, latest, NHS_TT_CRITERIA[instrument_id])


def _direction(signed: float, *, is_reliable: bool) -> ChangeDirection:
    # Lower scores are better on every measure this module is used for (PHQ-9, GAD-7, CORE-10).
    if not is_reliable:
        return ChangeDirection.NO_RELIABLE_CHANGE
    if signed < 0:
        return ChangeDirection.RELIABLE_IMPROVEMENT
    return ChangeDirection.RELIABLE_DETERIORATION


def _implied_rci_note(criterion: ReliableChangeCriterion) -> str:
    note = (
        f"RCI implied by the fixed {criterion.min_points}-point criterion (change ÷ "
        f"({criterion.min_points}/1.96)); the reference SD and reliability behind it are not in "
        "clinical_spec.md (UNVERIFIED)"
    )
    if criterion.unverified:
        note += f"; criterion: {criterion.unverified} (UNVERIFIED)"
    return note
