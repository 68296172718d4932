"""Per-group metrics with bootstrap CIs and suppression, and the gate that uses them."""

from __future__ import annotations

import numpy as np
import pytest

from careloop.ai.fairness.gate import Estimate, GatePolicy, evaluate_gate
from careloop.ai.fairness.metrics import Metric, Predictions, estimates_for, group_metrics

# Group a, threshold 0.5: TP 0.9, 0.8; FN 0.2; FP 0.7; TN 0.1.
SMALL = Predictions(
    y_true=[True, True, True, False, False],
    score=[0.9, 0.8, 0.2, 0.7, 0.1],
    group=["a"] * 5,
)


def test_metrics_by_hand() -> None:
    report = group_metrics(SMALL, min_n=1, n_bootstrap=200)["a"]
    value = {metric: result.value for metric, result in report.metrics.items()}
    assert value[Metric.SENSITIVITY] == pytest.approx(2 / 3)
    assert value[Metric.FALSE_POSITIVE_RATE] == pytest.approx(1 / 2)
    assert value[Metric.PPV] == pytest.approx(2 / 3)
    # every score alone in its tenth: mean of |y − score| = (0.1 + 0.2 + 0.8 + 0.7 + 0.1) / 5
    assert value[Metric.ECE] == pytest.approx(0.38)
    assert (report.n, report.n_positive) == (5, 3)
    assert report.metrics[Metric.FALSE_POSITIVE_RATE].n == 2  # its denominator: true negatives


def test_weights_are_used() -> None:
    weighted = Predictions(SMALL.y_true, SMALL.score, SMALL.group, weight=[2, 1, 1, 1, 1])
    report = group_metrics(weighted, min_n=1, n_bootstrap=50)["a"]
    assert report.metrics[Metric.SENSITIVITY].value == pytest.approx(3 / 4)
    assert report.metrics[Metric.PPV].value == pytest.approx(3 / 4)


def test_small_denominators_are_suppressed_with_a_reason() -> None:
    result = group_metrics(SMALL, n_bootstrap=10)["a"].metrics[Metric.SENSITIVITY]
    assert result.value is None and result.ci_low is None
    assert result.suppressed == "fewer than 30 people in the denominator (n = 3)"
    assert result.as_estimate().suppressed


def _synthetic(sensitivity_b: float, seed: int = 7, size: int = 2000) -> Predictions:
    """Two groups of `size`, prevalence 30 %; group a is found 80 % of the time, b at
    `sensitivity_b`; 10 % false positives in both."""
    rng = np.random.default_rng(seed)
    y_true, score, group = [], [], []
    for name, sensitivity in (("a", 0.80), ("b", sensitivity_b)):
        positive = rng.random(size) < 0.30
        hit = rng.random(size) < np.where(positive, sensitivity, 0.10)
        y_true += positive.tolist()
        score += np.where(hit, 0.9, 0.1).tolist()
        group += [name] * size
    return Predictions(y_true, score, group)


def test_bootstrap_ci_covers_the_value_and_is_reproducible() -> None:
    first = group_metrics(_synthetic(0.80), n_bootstrap=300, seed=1)
    again = group_metrics(_synthetic(0.80), n_bootstrap=300, seed=1)
    for report in first.values():
        for metric, result in report.metrics.items():
            assert result.value is not None and result.ci_low is not None
            assert result.ci_high is not None
            assert result.ci_low <= result.value <= result.ci_high, metric
            assert result.ci_high - result.ci_low < 0.1
    assert first == again


def test_the_gate_blocks_a_deliberately_biased_model_and_passes_a_fair_one() -> None:
    biased = estimates_for(group_metrics(_synthetic(0.60), n_bootstrap=300), Metric.SENSITIVITY)
    fair = estimates_for(group_metrics(_synthetic(0.80), n_bootstrap=300), Metric.SENSITIVITY)
    blocked = evaluate_gate(biased)
    assert blocked.blocked
    assert [(g.group_a, g.group_b) for g in blocked.blocking] == [("a", "b")]
    assert blocked.explain().startswith("Blocked: sensitivity differs by")
    passed = evaluate_gate(fair)
    assert not passed.blocked
    assert passed.explain().startswith("Passed")


A = Estimate(0.80, 0.76, 0.84)
CASES = [
    # name, other group, policy, blocked?
    ("gap 10 points, CIs apart: blocks", Estimate(0.70, 0.66, 0.74), GatePolicy(), True),
    ("gap 10 points, CIs overlap: passes", Estimate(0.70, 0.60, 0.80), GatePolicy(), False),
    ("gap 4 points, CIs apart: passes", Estimate(0.76, 0.755, 0.759), GatePolicy(), False),
    ("exactly 5 points: passes", Estimate(0.75, 0.70, 0.755), GatePolicy(), False),
    (
        "gap alone blocks when configured",
        Estimate(0.70, 0.60, 0.80),
        GatePolicy(require_separate_cis=False),
        True,
    ),
    ("stricter gap: 3 points", Estimate(0.76, 0.72, 0.759), GatePolicy(max_gap=0.03), True),
    (
        "suppressed group is not judged",
        Estimate(0.40, 0.1, 0.5, suppressed=True),
        GatePolicy(),
        False,
    ),
    (
        "suppressed group blocks when configured",
        Estimate(None, None, None, suppressed=True),
        GatePolicy(block_when_unjudged=True),
        True,
    ),
]


@pytest.mark.parametrize(("name", "other", "policy", "blocked"), CASES, ids=[c[0] for c in CASES])
def test_gate_table(name, other, policy, blocked) -> None:
    decision = evaluate_gate({"a": A, "b": other}, policy)
    assert decision.blocked is blocked, decision.explain()


def test_unjudged_groups_are_named_in_the_explanation() -> None:
    decision = evaluate_gate({"a": A, "b": Estimate(None, None, None, suppressed=True)})
    assert decision.unjudged == ("b",)
    assert "Not judged (too few people): b" in decision.explain()


def test_policy_and_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="share"):
        GatePolicy(max_gap=5)
    with pytest.raises(ValueError, match="same length"):
        Predictions([True], [0.5, 0.5], ["a"])
    with pytest.raises(ValueError, match="probabilities"):
        Predictions([True], [1.5], ["a"])
