"""Drift of a model's inputs and calibration between two windows (pure).

* Population stability index (PSI) per input between a reference window and a recent window,
  on the reference window's deciles: PSI = Σ (recent% − reference%) · ln(recent% / reference%).
  Rule of thumb (credit scoring, Siddiqi 2006; UNVERIFIED here): < 0.10 stable, 0.10–0.25 some
  shift, > 0.25 a shift worth acting on — flagged above PSI_FLAG.
* The shift of each input's mean from the training data, in training standard deviations
  (the scaler stored with the model); flagged above SMD_FLAG.
* Calibration in each window among episodes whose outcome is known: mean predicted probability
  vs the observed share not improving; flagged when they differ by more than CALIBRATION_FLAG
  with at least MIN_ROWS episodes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PSI_FLAG = 0.25
SMD_FLAG = 0.5
CALIBRATION_FLAG = 0.10
MIN_ROWS = 30
_FLOOR = 1e-4  # an empty bin counts as 0.01 % so the log stays finite


def psi(reference: Sequence[float], recent: Sequence[float], bins: int = 10) -> float | None:
    """PSI of `recent` against `reference` on the reference deciles (None: too few rows)."""
    if len(reference) < MIN_ROWS or len(recent) < MIN_ROWS:
        return None
    ref = np.asarray(reference, dtype=np.float64)
    new = np.asarray(recent, dtype=np.float64)
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1]))
    ref_share = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
    new_share = np.bincount(np.searchsorted(edges, new, side="right"), minlength=len(edges) + 1)
    p = np.maximum(ref_share / len(ref), _FLOOR)
    q = np.maximum(new_share / len(new), _FLOOR)
    return float(np.sum((q - p) * np.log(q / p)))


@dataclass(frozen=True)
class CalibrationWindow:
    n: int
    mean_predicted: float | None
    observed: float | None

    @property
    def gap(self) -> float | None:
        if self.n < MIN_ROWS or self.mean_predicted is None or self.observed is None:
            return None
        return self.observed - self.mean_predicted


def calibration_window(labels: Sequence[bool], probabilities: Sequence[float]) -> CalibrationWindow:
    if not labels:
        return CalibrationWindow(0, None, None)
    return CalibrationWindow(len(labels), float(np.mean(probabilities)), sum(labels) / len(labels))


@dataclass(frozen=True)
class DriftReport:
    psi: dict[str, float | None]
    mean_shift: dict[str, float | None]  # recent mean vs training mean, in training SDs
    calibration: dict[str, CalibrationWindow]
    flags: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


def drift(
    feature_names: Sequence[str],
    reference: Sequence[Mapping[str, float]],
    recent: Sequence[Mapping[str, float]],
    training_means: Sequence[float],
    training_scales: Sequence[float],
    calibration: Mapping[str, tuple[Sequence[bool], Sequence[float]]],
    labels: Mapping[str, str] | None = None,
) -> DriftReport:
    """Compare the windows (see the module docstring) and say in words what moved."""
    words = labels or {}
    psis: dict[str, float | None] = {}
    shifts: dict[str, float | None] = {}
    flags: list[str] = []
    for name, mean, scale in zip(feature_names, training_means, training_scales, strict=True):
        label = words.get(name, name)
        value = psi([row[name] for row in reference], [row[name] for row in recent])
        psis[name] = value
        if value is not None and value > PSI_FLAG:
            flags.append(f"{label}: distribution moved (PSI {value:.2f} > {PSI_FLAG})")
        if len(recent) >= MIN_ROWS and scale > 0:
            shift = (float(np.mean([row[name] for row in recent])) - mean) / scale
            shifts[name] = shift
            if abs(shift) > SMD_FLAG:
                flags.append(
                    f"{label}: recent mean is {shift:+.2f} training SDs from the training data"
                )
        else:
            shifts[name] = None
    windows = {key: calibration_window(*pair) for key, pair in calibration.items()}
    for key, window in windows.items():
        gap = window.gap
        if gap is not None and abs(gap) > CALIBRATION_FLAG:
            flags.append(
                f"calibration ({key} window): observed {window.observed:.0%} vs predicted "
                f"{window.mean_predicted:.0%}"
            )
    return DriftReport(psis, shifts, windows, flags)


def as_json(report: DriftReport) -> dict[str, Any]:
    return {
        "psi": report.psi,
        "mean_shift": report.mean_shift,
        "calibration": {
            key: {
                "n": w.n,
                "mean_predicted": w.mean_predicted,
                "observed": w.observed,
                "gap": w.gap,
            }
            for key, w in report.calibration.items()
        },
        "flags": report.flags,
        "flagged": report.flagged,
        "finite": all(v is None or math.isfinite(v) for v in report.psi.values()),
    }
