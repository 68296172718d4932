"""Stepped-care rules, their dry-run and the drift check: pure, table-driven."""

from __future__ import annotations

import copy
from datetime import date

import numpy as np
import pytest

from careloop.ai.drift import PSI_FLAG, drift, psi
from careloop.ai.early_warning.features import history_of
from careloop.ai.stepped_care.dry_run import PastEpisode, dry_run
from careloop.ai.stepped_care.rules import (
    DEFAULT_RULES,
    InvalidRules,
    at_assessment,
    at_review,
    first_step_up,
    validate,
)

START = date(2026, 1, 5)


def _phq9(total: int, item9: int = 0) -> tuple[int, ...]:
    rest = total - item9
    return (*(min(3, max(0, rest - 3 * i)) for i in range(8)), item9)


def _history(scores: list[tuple[int, int]], item9: int = 0, gad7: int = 10):
    rows: list[tuple[int, str, float, tuple[int, ...]]] = []
    for i, (day, total) in enumerate(scores):
        rows.append((day, "phq9", total, _phq9(total, item9 if i == 0 else 0)))
        rows.append((day, "gad7", gad7, ()))
    return history_of(rows, [])


@pytest.mark.parametrize(
    ("baseline", "item9", "step", "fired"),
    [
        (14, 0, 2, ()),
        (19, 1, 2, ()),
        (20, 0, 3, ("severe_depression_at_assessment",)),
        (12, 2, 3, ("self_harm_thoughts_at_assessment",)),
        (24, 3, 3, ("severe_depression_at_assessment", "self_harm_thoughts_at_assessment")),
    ],
)
def test_the_step_at_assessment(baseline, item9, step, fired):
    result = at_assessment(DEFAULT_RULES, _history([(0, baseline)], item9), START)
    assert result.step == step
    assert tuple(item.rule_id for item in result.fired) == fired


def test_no_questionnaire_never_fires_a_rule():
    result = at_assessment(DEFAULT_RULES, history_of([], []), START)
    assert result.step == 2 and not result.fired


@pytest.mark.parametrize(
    ("latest", "gad7_latest", "day", "step"),
    [
        (13, 10, 77, 3),  # 14 -> 13: not reliably improved, less than half: step up
        (8, 10, 77, None),  # 14 -> 8: reliably improved (6 points)
        (6, 10, 77, None),  # more than half (and reliable)
        (13, 10, 63, None),  # the review window opens on day 70
        (21, 10, 77, 3),  # reliably worse
    ],
)
def test_the_review_steps_up_only_when_not_on_track(latest, gad7_latest, day, step):
    history = history_of(
        [(0, "phq9", 14, _phq9(14)), (0, "gad7", 10, ()),
         (day, "phq9", latest, _phq9(latest)), (day, "gad7", gad7_latest, ())],
        [],
    )  # fmt: skip
    assert at_review(DEFAULT_RULES, history, START, day).step == step


def test_a_rule_needs_words_a_known_fact_and_its_own_id():
    for broken in (
        {"words": ""},
        {"all": [{"fact": "shoe_size", "op": ">=", "value": 1}]},
        {"all": [{"fact": "phq9_baseline", "op": "=>", "value": 1}]},
        {"moment": "discharge"},
        {"step": 7},
    ):
        rules = copy.deepcopy(DEFAULT_RULES)
        rules["rules"][0].update(broken)
        with pytest.raises(InvalidRules):
            validate(rules)
    rules = copy.deepcopy(DEFAULT_RULES)
    rules["rules"][1]["id"] = rules["rules"][0]["id"]
    with pytest.raises(InvalidRules):
        validate(rules)
    validate(DEFAULT_RULES)


def test_first_step_up_is_the_first_review_day_in_the_window():
    history = _history([(0, 14), (63, 13), (70, 13), (77, 13)])
    assert first_step_up(DEFAULT_RULES, history, START) == (2, 70)


def test_the_dry_run_counts_patients_stepped_up_and_how_many_earlier():
    earlier = copy.deepcopy(DEFAULT_RULES)
    earlier["version"] = "1.1.0"
    for rule in earlier["rules"]:
        if rule["moment"] == "review":
            rule["from_day"] = 56
    episodes = [
        PastEpisode(START, _history([(0, 14), (56, 13), (70, 13)])),  # earlier with 1.1.0
        PastEpisode(START, _history([(0, 14), (70, 13)])),  # same day either way
        PastEpisode(START, _history([(0, 14), (56, 7), (70, 6)])),  # improved: never
        PastEpisode(START, _history([(0, 22), (56, 21)])),  # step 3 from assessment
    ]
    result = dry_run(earlier, DEFAULT_RULES, episodes)
    assert result["stepped_up"] == 2 and result["earlier_than_current"] == 1
    assert result["step3_at_assessment"] == 1 and result["later_than_current"] == 0
    assert result["summary"] == (
        "Version 1.1.0 would have stepped up 2 of 4 past patients at review and offered step 3 "
        "at assessment to 1; 1 of them would have reached step 3 earlier than with version "
        "1.0.0 (the one in use) and 0 later."
    )


def test_psi_is_zero_for_the_same_distribution_and_large_for_a_shift():
    rng = np.random.default_rng(4)
    reference = list(rng.normal(0, 1, 2000))
    same = psi(reference, list(rng.normal(0, 1, 2000)))
    shifted = psi(reference, list(rng.normal(1.0, 1, 2000)))
    assert same is not None and same < 0.02
    assert shifted is not None and shifted > PSI_FLAG
    assert psi(reference[:10], reference) is None  # too few rows to judge


def test_psi_by_hand_on_two_bins():
    # reference split 50/50 at its median, recent 80/20: (0.8-0.5)ln(1.6) + (0.2-0.5)ln(0.4)
    reference = [0.0] * 50 + [1.0] * 50
    recent = [0.0] * 80 + [1.0] * 20
    expected = 0.3 * np.log(1.6) + (-0.3) * np.log(0.4)
    assert psi(reference, recent, bins=2) == pytest.approx(expected)


def test_drift_flags_what_moved_in_words():
    rng = np.random.default_rng(8)
    reference = [{"a": float(v), "b": 1.0} for v in rng.normal(0, 1, 300)]
    recent = [{"a": float(v), "b": 1.0} for v in rng.normal(1.5, 1, 300)]
    labels = [True] * 20 + [False] * 30
    report = drift(
        ("a", "b"), reference, recent, (0.0, 1.0), (1.0, 1.0),
        {"recent": (labels, [0.9] * 50)}, {"a": "change in PHQ-9"},
    )  # fmt: skip
    assert report.flagged
    assert any(flag.startswith("change in PHQ-9: distribution moved") for flag in report.flags)
    assert any("training SDs" in flag for flag in report.flags)
    assert any(flag.startswith("calibration (recent window)") for flag in report.flags)
    assert report.psi["b"] == pytest.approx(0.0)


def test_no_drift_no_flags():
    rng = np.random.default_rng(2)
    rows = [{"a": float(v)} for v in rng.normal(0, 1, 400)]
    report = drift(("a",), rows[:200], rows[200:], (0.0,), (1.0,), {})
    assert not report.flagged
