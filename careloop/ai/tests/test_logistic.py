"""The early-warning model's maths against answers known in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from careloop.ai.early_warning.logistic import (
    LogisticModel,
    auroc,
    calibrate_platt,
    expected_calibration_error,
    fit_irls,
    fit_logistic,
    reliability_table,
)
from careloop.ai.fairness.metrics import Metric, Predictions, group_metrics


def test_one_binary_input_gives_the_log_odds_ratio_exactly() -> None:
    """With one 0/1 input the maximum-likelihood fit is saturated: the intercept is the
    log-odds in the x = 0 group and the coefficient the log odds ratio of the 2 × 2 table."""
    # x = 0: 30 events of 100; x = 1: 60 of 80
    x = np.array([0.0] * 100 + [1.0] * 80)[:, None]
    y = np.array([1.0] * 30 + [0.0] * 70 + [1.0] * 60 + [0.0] * 20)
    intercept, coefficients = fit_irls(x, y)
    assert intercept == pytest.approx(math.log(30 / 70), abs=1e-9)
    assert coefficients[0] == pytest.approx(math.log((60 / 20) / (30 / 70)), abs=1e-9)


def test_the_penalised_fit_sets_the_penalised_score_to_zero() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 3))
    y = (rng.random(400) < 1 / (1 + np.exp(-(0.5 + x @ [1.0, -2.0, 0.0])))).astype(float)
    intercept, beta = fit_irls(x, y, l2=2.0)
    p = 1 / (1 + np.exp(-(intercept + x @ beta)))
    design = np.hstack([np.ones((400, 1)), x])
    gradient = design.T @ (y - p) - np.concatenate([[0.0], 2.0 * beta])
    assert np.max(np.abs(gradient)) < 1e-8
    assert beta[0] > 0.5 and beta[1] < -1.0 and abs(beta[2]) < 0.3


def test_contributions_add_up_to_the_calibrated_log_odds_and_json_round_trips() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(loc=[10, 2], scale=[4, 1], size=(300, 2))
    y = (rng.random(300) < 1 / (1 + np.exp(-(x[:, 0] - 10) / 4))).astype(float)
    model = calibrate_platt(fit_logistic(("a", "b"), x, y), x, y)
    row = [14.0, 1.0]
    p = model.probability(row)
    total = model.baseline_logit() + sum(model.contributions(row).values())
    assert total == pytest.approx(math.log(p / (1 - p)), abs=1e-9)
    again = LogisticModel.from_json(model.to_json())
    assert again.probability(row) == pytest.approx(p, abs=1e-12)
    # Platt scaling on the training data of a well-specified fit barely moves it
    assert model.platt_slope == pytest.approx(1.0, abs=0.05)


def test_an_input_that_never_varies_gets_no_weight() -> None:
    x = np.column_stack([np.arange(50.0) % 7, np.zeros(50)])
    y = (np.arange(50) % 7 > 3).astype(float)
    model = fit_logistic(("varies", "constant"), x, y, l2=1.0)
    assert model.coefficients[1] == 0.0 and model.scales[1] == 1.0


@pytest.mark.parametrize(
    ("y", "score", "expected"),
    [
        ([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1], 1.0),
        ([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9], 0.0),
        ([1, 0], [0.5, 0.5], 0.5),  # a tie counts one half
        ([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1], 0.75),  # pairs: (.9>.8,.9>.1,.3<.8,.3>.1) = 3/4
    ],
)
def test_auroc_by_hand(y: list[int], score: list[float], expected: float) -> None:
    assert auroc([bool(v) for v in y], score) == pytest.approx(expected)


def test_ece_matches_the_fairness_metrics_ece() -> None:
    rng = np.random.default_rng(9)
    score = rng.random(500)
    y = rng.random(500) < score**1.5
    table = reliability_table(list(y), list(score))
    ours = expected_calibration_error(table)
    reports = group_metrics(Predictions(list(y), list(score), ["all"] * 500), n_bootstrap=10)
    assert ours == pytest.approx(reports["all"].metrics[Metric.ECE].value, abs=1e-12)
    assert sum(row.n for row in table) == 500
