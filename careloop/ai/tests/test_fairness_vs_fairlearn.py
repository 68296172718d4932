"""Our per-group metrics (careloop.ai.fairness.metrics, NumPy, weighted) against fairlearn's
MetricFrame with scikit-learn's metrics (#15 item 8 asks for fairlearn; the runtime keeps its own
definitions because it also owns the bootstrap CIs, suppression and the gate: docs/ai/README.md).
fairlearn is a development requirement only."""

from __future__ import annotations

from typing import Any

import fairlearn.metrics as fairlearn_metrics  # type: ignore[import-untyped]
import numpy as np
import pytest
import sklearn.metrics as sklearn_metrics  # type: ignore[import-untyped]

from careloop.ai.fairness.metrics import Metric, Predictions, group_metrics


def _false_positive_rate(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    negatives = ~np.asarray(y_true, dtype=bool)
    w = np.ones(len(negatives)) if sample_weight is None else np.asarray(sample_weight)
    return float((w * (np.asarray(y_pred, dtype=bool) & negatives)).sum() / w[negatives].sum())


@pytest.mark.parametrize("weighted", [False, True])
def test_sensitivity_fpr_and_ppv_per_group_match_fairlearn(weighted: bool) -> None:
    rng = np.random.default_rng(7)
    n = 3000
    group = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    y = rng.random(n) < np.where(group == "a", 0.3, 0.45)
    # A score that is informative, and more so for one group (a gap to find).
    score = np.clip(0.5 * y + rng.normal(0.25, np.where(group == "c", 0.3, 0.2)), 0, 1)
    weight = rng.uniform(0.5, 3.0, size=n) if weighted else None
    threshold = 0.5

    ours = group_metrics(
        Predictions(list(y), list(score), list(group), None if weight is None else list(weight)),
        threshold,
        n_bootstrap=10,
    )
    frame = fairlearn_metrics.MetricFrame(
        metrics={
            "sensitivity": sklearn_metrics.recall_score,
            "false_positive_rate": _false_positive_rate,
            "ppv": sklearn_metrics.precision_score,
        },
        y_true=y,
        y_pred=score >= threshold,
        sensitive_features=group,
        sample_params=None
        if weight is None
        else {
            name: {"sample_weight": weight}
            for name in ("sensitivity", "false_positive_rate", "ppv")
        },
    )
    checked = 0
    for name in ("a", "b", "c"):
        for metric in (Metric.SENSITIVITY, Metric.FALSE_POSITIVE_RATE, Metric.PPV):
            value = ours[name].metrics[metric].value
            assert value is not None
            assert value == pytest.approx(frame.by_group.loc[name, metric.value], abs=1e-12)
            checked += 1
    assert checked == 9
    # The gap fairlearn reports between groups is the one our gate reads.
    gap = max(ours[g].metrics[Metric.SENSITIVITY].value or 0 for g in "abc") - min(
        ours[g].metrics[Metric.SENSITIVITY].value or 0 for g in "abc"
    )
    assert gap == pytest.approx(frame.difference(method="between_groups")["sensitivity"])
