"""The evaluation maths, the held-out split, and the recall target on a held-out subset."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from careloop.safety.text import evaluate, semantic, tune
from careloop.safety.text.detector import CALIBRATION, screen_text

DATA = Path(__file__).resolve().parents[5] / "shared" / "data" / "crisis_text_dev"


@pytest.mark.parametrize(
    ("scores", "labels", "auc"),
    [
        ([0.1, 0.2, 0.8, 0.9], [False, False, True, True], 1.0),
        ([0.9, 0.8, 0.2, 0.1], [False, False, True, True], 0.0),
        ([0.5, 0.5, 0.5, 0.5], [False, True, False, True], 0.5),
        ([0.1, 0.4, 0.35, 0.8], [False, False, True, True], 0.75),
        ([0.1, 0.5, 0.5, 0.9], [False, False, True, True], 0.875),  # one tie counts half
    ],
)
def test_roc_auc(scores: list[float], labels: list[bool], auc: float) -> None:
    assert evaluate.roc_auc(scores, labels) == pytest.approx(auc)


def test_roc_auc_of_one_class_is_undefined() -> None:
    assert math.isnan(evaluate.roc_auc([0.1, 0.2], [True, True]))


def test_counts_at_the_threshold() -> None:
    counts = evaluate.at_threshold([0.1, 0.4, 0.5, 0.9], [False, True, False, True], 0.4)
    assert (counts["tp"], counts["fp"], counts["fn"], counts["tn"]) == (2, 1, 0, 1)
    assert counts["recall"] == 1.0 and counts["precision"] == pytest.approx(2 / 3)


@pytest.fixture(scope="module")
def examples() -> list[evaluate.Example]:
    if not DATA.is_dir():
        pytest.fail(f"{DATA} is missing: the shared data folder must sit beside the repository")
    return evaluate.load_examples(DATA)


def test_the_split_is_deterministic_and_holds_out_about_thirty_percent(examples) -> None:
    assert len(examples) == 1895 + 5000
    held_out = [e for e in examples if evaluate.is_held_out(e)]
    assert 0.27 < len(held_out) / len(examples) < 0.33
    assert evaluate.hash_bucket("kaggle:1") == evaluate.hash_bucket("kaggle:1")
    assert {e.dataset for e in held_out} == {evaluate.SDCNL, evaluate.KAGGLE}


def test_the_tuner_rebuilds_the_detector_score_exactly(examples, model_index) -> None:
    for example in evaluate.deterministic_sample(
        [e for e in examples if not evaluate.is_held_out(e)], 8
    ):
        rebuilt = tune.record(example, model_index).score(CALIBRATION)
        assert rebuilt == pytest.approx(screen_text(example.text).score)


HELD_OUT_RECALL_FLOOR = 0.77  # 95/120 = 0.79 with crisis-text@2.1.0, less two posts
HELD_OUT_SUBSET = 60  # suicide-class posts from each set: small enough for CI on two cores


@pytest.mark.slow
def test_recall_target_on_a_deterministic_held_out_subset(examples, model_index) -> None:
    held_out = [e for e in examples if evaluate.is_held_out(e) and e.is_suicide]
    subset = [
        *evaluate.deterministic_sample(
            [e for e in held_out if e.dataset == evaluate.SDCNL], HELD_OUT_SUBSET
        ),
        *evaluate.deterministic_sample(
            [e for e in held_out if e.dataset == evaluate.KAGGLE], HELD_OUT_SUBSET
        ),
    ]
    results, _ = evaluate.screen_examples(subset)
    alerted = sum(r.level.value in ("moderate", "high") for r in results)
    # crisis-text@2.0.0 no longer alerts on "any sentence" near an exemplar (issue #18 item 14):
    # subreddit labels count every r/SuicideWatch post as risk, helpers' replies included, so
    # recall here fell from 0.96 to 94/120 = 0.78 with 2.0.0; 2.1.0 (glued titles, more first-
    # person rules, hedges fixed) reaches 95/120 = 0.79. The 0.95 target is asserted on
    # first-person risk in test_calibration.py; this guards against a further slide.
    assert alerted / len(results) >= HELD_OUT_RECALL_FLOOR, f"{alerted} of {len(results)} alerted"
    assert semantic.model_version() != "unavailable"
