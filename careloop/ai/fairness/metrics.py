"""Per-group classification metrics with bootstrap 95 % CIs and small-n suppression.

Input: for each person the true label (reference positive or not), the model's score (a
probability, 0–1), their group, and optionally a sample weight. A person is predicted positive
when score ≥ threshold. Per group:

- sensitivity = Σw[y ∧ ŷ] / Σw[y]        (denominator: the group's true positives, "n_positive")
- false-positive rate = Σw[¬y ∧ ŷ] / Σw[¬y] (denominator: true negatives)
- PPV = Σw[y ∧ ŷ] / Σw[ŷ]                (denominator: predicted positives)
- ECE (expected calibration error) = Σ_bins (Σw in bin / Σw) · |weighted mean y − weighted mean
  score| over equal-width score bins (10 by default; Naeini et al. 2015, Guo et al. 2017).

CIs: percentile bootstrap, resampling people within each group with replacement (seeded, so a
report is reproducible). This treats people as independent; for complex survey samples use
`fairness.survey` instead (design-based), as the NHANES screen audit does.

Suppression: a metric is not reported (value None, `suppressed` with the reason) when its own
denominator has fewer than `min_n` people (default 30, the NCHS minimum for proportions, see
`fairness.survey`). fairlearn's MetricFrame computes the same four ratios; we keep them here,
with NumPy only, so the gate and the bootstrap own their definitions (docs/ai/README.md says why).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from careloop.ai.fairness.gate import Estimate

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
DEFAULT_MIN_N = 30
DEFAULT_BOOTSTRAP = 1000
DEFAULT_BINS = 10


class Metric(StrEnum):
    SENSITIVITY = "sensitivity"
    FALSE_POSITIVE_RATE = "false_positive_rate"
    PPV = "ppv"
    ECE = "ece"


@dataclass(frozen=True)
class MetricResult:
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int  # unweighted size of this metric's denominator
    suppressed: str | None = None  # why it is not reported, if it is not

    def as_estimate(self) -> Estimate:
        return Estimate(
            self.value, self.ci_low, self.ci_high, suppressed=self.suppressed is not None
        )


@dataclass(frozen=True)
class GroupReport:
    group: str
    n: int  # people in the group
    n_positive: int  # reference positives (sensitivity's denominator)
    metrics: Mapping[Metric, MetricResult]


@dataclass(frozen=True)
class Predictions:
    """Parallel sequences, one entry per person."""

    y_true: Sequence[bool]
    score: Sequence[float]
    group: Sequence[str]
    weight: Sequence[float] | None = None

    def __post_init__(self) -> None:
        lengths = {len(self.y_true), len(self.score), len(self.group)}
        if self.weight is not None:
            lengths.add(len(self.weight))
        if len(lengths) != 1:
            raise ValueError("y_true, score, group and weight must be the same length")
        if any(not 0.0 <= s <= 1.0 for s in self.score):
            raise ValueError("scores are probabilities between 0 and 1")
        if self.weight is not None and any(w < 0 for w in self.weight):
            raise ValueError("weights cannot be negative")


def _ratio(numerator: BoolArray, denominator: BoolArray, w: FloatArray) -> float:
    total = float(w[denominator].sum())
    return float(w[numerator & denominator].sum()) / total if total > 0 else float("nan")


def _ece(y: BoolArray, s: FloatArray, w: FloatArray, bins: int) -> float:
    total = float(w.sum())
    if total <= 0:
        return float("nan")
    index = np.minimum((s * bins).astype(np.int64), bins - 1)  # score 1.0 goes in the top bin
    error = 0.0
    for b in range(bins):
        in_bin = index == b
        mass = float(w[in_bin].sum())
        if mass > 0:
            observed = float((w[in_bin] * y[in_bin]).sum()) / mass
            predicted = float((w[in_bin] * s[in_bin]).sum()) / mass
            error += mass / total * abs(observed - predicted)
    return error


def _metric_functions(
    threshold: float, bins: int
) -> dict[Metric, Callable[[BoolArray, FloatArray, FloatArray], float]]:
    def sensitivity(y: BoolArray, s: FloatArray, w: FloatArray) -> float:
        return _ratio(s >= threshold, y, w)

    def false_positive_rate(y: BoolArray, s: FloatArray, w: FloatArray) -> float:
        return _ratio(s >= threshold, ~y, w)

    def ppv(y: BoolArray, s: FloatArray, w: FloatArray) -> float:
        return _ratio(y, s >= threshold, w)

    def ece(y: BoolArray, s: FloatArray, w: FloatArray) -> float:
        return _ece(y, s, w, bins)

    return {
        Metric.SENSITIVITY: sensitivity,
        Metric.FALSE_POSITIVE_RATE: false_positive_rate,
        Metric.PPV: ppv,
        Metric.ECE: ece,
    }


def _denominator_size(metric: Metric, y: BoolArray, s: FloatArray, threshold: float) -> int:
    if metric is Metric.SENSITIVITY:
        return int(y.sum())
    if metric is Metric.FALSE_POSITIVE_RATE:
        return int((~y).sum())
    if metric is Metric.PPV:
        return int((s >= threshold).sum())
    return len(y)


def group_metrics(
    predictions: Predictions,
    threshold: float = 0.5,
    *,
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    min_n: int = DEFAULT_MIN_N,
    bins: int = DEFAULT_BINS,
    confidence: float = 0.95,
) -> dict[str, GroupReport]:
    """Each group's sensitivity, FPR, PPV and ECE with percentile-bootstrap CIs."""
    y_all = np.asarray(predictions.y_true, dtype=np.bool_)
    s_all = np.asarray(predictions.score, dtype=np.float64)
    w_all = (
        np.ones(len(y_all))
        if predictions.weight is None
        else np.asarray(predictions.weight, dtype=np.float64)
    )
    groups = np.asarray(predictions.group, dtype=object)
    functions = _metric_functions(threshold, bins)
    rng = np.random.default_rng(seed)
    alpha = 1 - confidence
    reports = {}
    for name in sorted(set(predictions.group)):
        rows = groups == name
        y, s, w = y_all[rows], s_all[rows], w_all[rows]
        draws = rng.integers(0, len(y), size=(n_bootstrap, len(y)))
        results = {}
        for metric, function in functions.items():
            n = _denominator_size(metric, y, s, threshold)
            if n < min_n:
                reason = f"fewer than {min_n} people in the denominator (n = {n})"
                results[metric] = MetricResult(None, None, None, n, suppressed=reason)
                continue
            replicates = np.array([function(y[d], s[d], w[d]) for d in draws])
            replicates = replicates[~np.isnan(replicates)]
            low, high = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
            results[metric] = MetricResult(function(y, s, w), float(low), float(high), n)
        reports[name] = GroupReport(name, len(y), int(y.sum()), results)
    return reports


def estimates_for(reports: Mapping[str, GroupReport], metric: Metric) -> dict[str, Estimate]:
    """The gate's input: one metric's estimate per group."""
    return {name: report.metrics[metric].as_estimate() for name, report in reports.items()}
