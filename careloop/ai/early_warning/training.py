"""Train and evaluate an early-warning model on a service's closed episodes (pure).

1. Split the episodes deterministically by a hash of their id (seeded): 60 % train, 20 %
   calibrate, 20 % held-out test. The split never changes for a given seed, so the held-out
   figures are reproducible.
2. Fit a ridge logistic regression on the training split (`logistic.fit_logistic`).
3. Calibrate it with Platt scaling on the calibration split.
4. Evaluate on the held-out test split only: AUROC, Brier score, the reliability table and ECE,
   and the fairness metrics per group with bootstrap CIs (`ai.fairness`), at the threshold
   that marks the "higher" band.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from careloop.ai.early_warning.features import FEATURE_NAMES
from careloop.ai.early_warning.logistic import (
    LogisticModel,
    auroc,
    brier,
    calibrate_platt,
    expected_calibration_error,
    fit_logistic,
    reliability_table,
)
from careloop.ai.fairness.gate import GateDecision, GatePolicy, evaluate_gate
from careloop.ai.fairness.metrics import Metric, Predictions, estimates_for, group_metrics

# The equity dimensions of the service dashboard (analytics.breakdown.Dimension values)
GROUP_DIMENSIONS = (
    "ethnicity",
    "gender",
    "age_band",
    "preferred_language",
    "deprivation_quintile",
)
HIGHER_BAND_FROM = 0.5  # probability at or above which the estimate is in the "higher" band
LOWER_BAND_BELOW = 0.25
MIN_EPISODES = 100  # fewer closed episodes than this: no model (too few to hold any out)
L2 = 1.0


@dataclass(frozen=True)
class TrainingRow:
    key: str  # a stable id (the episode id); never stored in the model
    features: Mapping[str, float]
    label: bool  # True = no reliable improvement by week 12
    groups: Mapping[str, str]  # dimension -> group, for the fairness metrics
    # Still measured after the feature window: for the others (ended by week 4) the label is
    # read from the same scores as the features, so they are reported apart as well.
    continued: bool = True


@dataclass(frozen=True)
class HeldOut:
    """One held-out episode's label, calibrated probability and groups (no identifiers)."""

    label: bool
    probability: float
    groups: Mapping[str, str]
    continued: bool = True


@dataclass(frozen=True)
class TrainingResult:
    model: LogisticModel
    n_train: int
    n_calibration: int
    n_test: int
    prevalence: float  # share of all episodes with the label
    metrics: dict[str, Any]  # AUROC, Brier, ECE on the held-out test split
    calibration: list[dict[str, Any]]  # the reliability table
    per_group: dict[str, Any]  # dimension -> group -> metric -> value, CI, n
    gate: dict[str, Any]  # dimension -> gate decision
    held_out: list[HeldOut] = field(repr=False)

    @property
    def gate_blocked(self) -> bool:
        return any(decision["blocked"] for decision in self.gate.values())


class TooFewEpisodes(ValueError):
    pass


def split_of(key: str, seed: int) -> str:
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    bucket = digest[0] % 10
    return "train" if bucket < 6 else ("calibrate" if bucket < 8 else "test")


def band_of(probability: float) -> str:
    if probability >= HIGHER_BAND_FROM:
        return "higher"
    if probability < LOWER_BAND_BELOW:
        return "lower"
    return "middle"


def _matrix(rows: Sequence[TrainingRow]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[row.features[name] for name in FEATURE_NAMES] for row in rows], dtype=float)
    y = np.array([1.0 if row.label else 0.0 for row in rows])
    return x.reshape(len(rows), len(FEATURE_NAMES)), y


def fairness_of(
    held_out: Sequence[HeldOut], policy: GatePolicy, *, seed: int = 0, n_bootstrap: int = 500
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per group metrics (sensitivity, FPR, PPV, ECE with bootstrap CIs, small-n suppressed)
    and the gate per dimension, on held-out predictions."""
    per_group: dict[str, Any] = {}
    gate: dict[str, Any] = {}
    for dimension in GROUP_DIMENSIONS:
        predictions = Predictions(
            [row.label for row in held_out],
            [row.probability for row in held_out],
            [row.groups.get(dimension, "not recorded") for row in held_out],
        )
        reports = group_metrics(predictions, HIGHER_BAND_FROM, n_bootstrap=n_bootstrap, seed=seed)
        per_group[dimension] = {
            name: {
                "n": report.n,
                "n_positive": report.n_positive,
                **{metric.value: asdict(result) for metric, result in report.metrics.items()},
            }
            for name, report in reports.items()
        }
        decision = evaluate_gate(estimates_for(reports, Metric(policy.metric)), policy)
        gate[dimension] = gate_json(decision)
    return per_group, gate


def gate_json(decision: GateDecision) -> dict[str, Any]:
    return {
        "blocked": decision.blocked,
        "explanation": decision.explain(),
        "policy": asdict(decision.policy),
        "unjudged": list(decision.unjudged),
        "blocking": [asdict(gap) for gap in decision.blocking],
    }


def _continued_metrics(held_out: Sequence[HeldOut]) -> dict[str, Any]:
    """AUROC and ECE among held-out episodes still measured after the feature window."""
    rows = [row for row in held_out if row.continued]
    labels = [row.label for row in rows]
    scores = [row.probability for row in rows]
    return {
        "n_test_continued": len(rows),
        "auroc_continued": auroc(labels, scores) if rows else None,
        "ece_continued": expected_calibration_error(reliability_table(labels, scores))
        if rows
        else None,
        "prevalence_continued": sum(labels) / len(rows) if rows else None,
    }


def train(
    rows: Sequence[TrainingRow], *, seed: int = 0, policy: GatePolicy | None = None
) -> TrainingResult:
    """Steps 1-4 of the module docstring."""
    if len(rows) < MIN_EPISODES:
        raise TooFewEpisodes(
            f"{len(rows)} closed episodes with the data a prediction needs; at least "
            f"{MIN_EPISODES} are needed to train and hold some out"
        )
    parts: dict[str, list[TrainingRow]] = {"train": [], "calibrate": [], "test": []}
    for row in rows:
        parts[split_of(row.key, seed)].append(row)
    x_train, y_train = _matrix(parts["train"])
    if len(set(y_train)) < 2:
        raise TooFewEpisodes("every training episode has the same outcome: nothing to learn")
    model = fit_logistic(FEATURE_NAMES, x_train, y_train, L2)
    x_cal, y_cal = _matrix(parts["calibrate"])
    model = calibrate_platt(model, x_cal, y_cal)
    x_test, y_test = _matrix(parts["test"])
    probabilities = model.probabilities(x_test)
    labels = [bool(v) for v in y_test]
    table = reliability_table(labels, list(probabilities))
    held_out = [
        HeldOut(row.label, float(p), dict(row.groups), row.continued)
        for row, p in zip(parts["test"], probabilities, strict=True)
    ]
    policy = policy or GatePolicy()
    per_group, gate = fairness_of(held_out, policy, seed=seed)
    uncalibrated = fit_logistic(FEATURE_NAMES, x_train, y_train, L2).probabilities(x_test)
    metrics = {
        "auroc": auroc(labels, list(probabilities)),
        "brier": brier(labels, list(probabilities)),
        "ece": expected_calibration_error(table),
        "ece_before_calibration": expected_calibration_error(
            reliability_table(labels, list(uncalibrated))
        ),
        "prevalence_test": float(np.mean(y_test)) if len(y_test) else None,
        **_continued_metrics(held_out),
        "threshold_higher_band": HIGHER_BAND_FROM,
    }
    return TrainingResult(
        model=model,
        n_train=len(parts["train"]),
        n_calibration=len(parts["calibrate"]),
        n_test=len(parts["test"]),
        prevalence=sum(row.label for row in rows) / len(rows),
        metrics=metrics,
        calibration=[asdict(row) for row in table],
        per_group=per_group,
        gate=gate,
        held_out=held_out,
    )
