"""A small, exact logistic regression (pure NumPy): fit, Platt calibration, prediction and
per-input contributions, with the parameters as plain JSON (never pickle).

Why not scikit-learn: training is the only part that would use it, and the model Careloop runs
is the handful of numbers stored here; IRLS (Newton's method) with a ridge penalty is the
textbook fit (Hastie, Tibshirani & Friedman, ESL §4.4.1) and is tested against closed-form
answers (tests/test_logistic.py). Calibration is Platt scaling (a one-input logistic regression
on the held-out calibration split), which keeps the calibrated log-odds *linear* in the inputs,
so each input's contribution stays exact; isotonic calibration would not.

Contributions are in calibrated log-odds relative to an average patient (every input at its
training mean): logit p = intercept + Σ contribution_j, exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
MAX_ITERATIONS = 100
TOLERANCE = 1e-10


def _sigmoid(z: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0))), dtype=np.float64)


def fit_irls(x: FloatArray, y: FloatArray, l2: float = 0.0) -> tuple[float, FloatArray]:
    """Maximum (penalised) likelihood logistic regression by iteratively reweighted least
    squares. `x` is n × k (no intercept column: one is added and never penalised). Returns
    (intercept, coefficients). `l2` is the ridge penalty λ in −loglik + λ/2 · ‖β‖²."""
    n, k = x.shape
    design = np.hstack([np.ones((n, 1)), x])
    penalty = np.diag([0.0] + [l2] * k)
    beta = np.zeros(k + 1)
    for _ in range(MAX_ITERATIONS):
        p = _sigmoid(design @ beta)
        w = np.maximum(p * (1 - p), 1e-12)
        gradient = design.T @ (y - p) - penalty @ beta
        hessian = design.T @ (design * w[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if float(np.max(np.abs(step))) < TOLERANCE:
            break
    return float(beta[0]), beta[1:]


@dataclass(frozen=True)
class LogisticModel:
    """Everything needed to score a patient: JSON-serialisable, no code."""

    feature_names: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]  # standard deviations (1.0 where an input never varied)
    intercept: float  # on standardised inputs
    coefficients: tuple[float, ...]
    platt_slope: float = 1.0
    platt_intercept: float = 0.0

    def _z(self, x: Sequence[float]) -> FloatArray:
        z = (np.asarray(x, dtype=np.float64) - np.asarray(self.means)) / np.asarray(self.scales)
        return np.asarray(z, dtype=np.float64)

    def raw_logit(self, x: Sequence[float]) -> float:
        return float(self.intercept + np.dot(self.coefficients, self._z(x)))

    def probability(self, x: Sequence[float]) -> float:
        """The calibrated probability."""
        logit = self.platt_slope * self.raw_logit(x) + self.platt_intercept
        return float(_sigmoid(np.array([logit]))[0])

    def probabilities(self, rows: FloatArray) -> FloatArray:
        z = (rows - np.asarray(self.means)) / np.asarray(self.scales)
        raw = self.intercept + z @ np.asarray(self.coefficients)
        return _sigmoid(self.platt_slope * raw + self.platt_intercept)

    def baseline_logit(self) -> float:
        """The calibrated log-odds of an average patient (every input at its mean)."""
        return self.platt_slope * self.intercept + self.platt_intercept

    def contributions(self, x: Sequence[float]) -> dict[str, float]:
        """Each input's share of the calibrated log-odds, exactly: baseline_logit() + the sum
        of these is the log-odds of probability(x)."""
        z = self._z(x)
        return {
            name: float(self.platt_slope * coefficient * value)
            for name, coefficient, value in zip(
                self.feature_names, self.coefficients, z, strict=True
            )
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "logistic_regression",
            "feature_names": list(self.feature_names),
            "scaler": {"means": list(self.means), "scales": list(self.scales)},
            "intercept": self.intercept,
            "coefficients": list(self.coefficients),
            "calibration": {
                "method": "platt",
                "slope": self.platt_slope,
                "intercept": self.platt_intercept,
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LogisticModel:
        if data.get("type") != "logistic_regression":
            raise ValueError("not a logistic regression")
        return cls(
            feature_names=tuple(data["feature_names"]),
            means=tuple(float(v) for v in data["scaler"]["means"]),
            scales=tuple(float(v) for v in data["scaler"]["scales"]),
            intercept=float(data["intercept"]),
            coefficients=tuple(float(v) for v in data["coefficients"]),
            platt_slope=float(data["calibration"]["slope"]),
            platt_intercept=float(data["calibration"]["intercept"]),
        )


def fit_logistic(
    feature_names: Sequence[str], x: FloatArray, y: FloatArray, l2: float = 1.0
) -> LogisticModel:
    """Standardise the inputs (training mean and SD), then fit with a ridge penalty."""
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales = np.where(scales > 1e-12, scales, 1.0)
    intercept, coefficients = fit_irls((x - means) / scales, y, l2)
    return LogisticModel(
        tuple(feature_names),
        tuple(float(v) for v in means),
        tuple(float(v) for v in scales),
        intercept,
        tuple(float(v) for v in coefficients),
    )


def calibrate_platt(model: LogisticModel, x: FloatArray, y: FloatArray) -> LogisticModel:
    """Platt scaling on a held-out calibration split: logit p = a · raw logit + b."""
    z = (x - np.asarray(model.means)) / np.asarray(model.scales)
    raw = model.intercept + z @ np.asarray(model.coefficients)
    b, a = fit_irls(raw[:, None], y, 0.0)
    return LogisticModel(
        model.feature_names,
        model.means,
        model.scales,
        model.intercept,
        model.coefficients,
        platt_slope=float(a[0]),
        platt_intercept=b,
    )


# ----------------------------------------------------------------------------- evaluation


def auroc(y: Sequence[bool], score: Sequence[float]) -> float:
    """Area under the ROC curve = the Mann-Whitney probability that a random positive scores
    above a random negative (ties count one half)."""
    s = np.asarray(score, dtype=np.float64)
    t = np.asarray(y, dtype=np.bool_)
    positives, negatives = s[t], s[~t]
    if len(positives) == 0 or len(negatives) == 0:
        return float("nan")
    order = np.argsort(np.concatenate([positives, negatives]), kind="mergesort")
    ranks = np.empty(len(order), dtype=np.float64)
    values = np.concatenate([positives, negatives])[order]
    i = 0
    while i < len(values):  # average ranks over ties
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = ranks[: len(positives)].sum()
    n1, n0 = len(positives), len(negatives)
    return float((rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0))


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    n: int
    mean_predicted: float | None
    observed: float | None


def reliability_table(
    y: Sequence[bool], score: Sequence[float], bins: int = 10
) -> list[ReliabilityBin]:
    """Equal-width bins of predicted probability: how many, mean predicted, share observed."""
    s = np.asarray(score, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    index = np.minimum((s * bins).astype(np.int64), bins - 1)
    table = []
    for b in range(bins):
        rows = index == b
        n = int(rows.sum())
        table.append(
            ReliabilityBin(
                b / bins,
                (b + 1) / bins,
                n,
                float(s[rows].mean()) if n else None,
                float(t[rows].mean()) if n else None,
            )
        )
    return table


def expected_calibration_error(table: Sequence[ReliabilityBin]) -> float:
    total = sum(row.n for row in table)
    if total == 0:
        return float("nan")
    return sum(
        row.n / total * abs(row.observed - row.mean_predicted)
        for row in table
        if row.n and row.observed is not None and row.mean_predicted is not None
    )


def brier(y: Sequence[bool], score: Sequence[float]) -> float:
    s = np.asarray(score, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    return float(np.mean((s - t) ** 2))


def logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))
