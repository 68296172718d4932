"""Early-warning features and label: table tests on hand-made episodes."""

from __future__ import annotations

from datetime import date

import pytest

from careloop.ai.early_warning.explain import explain
from careloop.ai.early_warning.features import (
    FEATURE_NAMES,
    NotEligible,
    features_of,
    history_of,
    no_reliable_improvement_by_week_12,
)

PHQ9 = (2, 1, 3, 2, 1, 2, 1, 1, 1)  # total 14, item 9 = 1, anhedonia 2, sleep 3


def _history(later_phq9: list[tuple[int, int]], checkins: list[tuple[int, int]] | None = None):
    rows = [(0, "phq9", 14, PHQ9), (0, "gad7", 12, ())]
    rows += [(day, "phq9", total, (1,) * 9) for day, total in later_phq9]
    rows += [(day, "gad7", 10, ()) for day, _ in later_phq9]
    return history_of(rows, checkins or [])


def test_features_read_the_first_weeks_only() -> None:
    history = _history([(14, 12), (21, 11), (60, 2)], checkins=[(3, 4), (10, 6), (40, 9)])
    features = features_of(history, as_of_day=21)
    assert list(features) == list(FEATURE_NAMES)
    assert features["phq9_baseline"] == 14 and features["phq9_change"] == -3
    assert features["gad7_baseline"] == 12 and features["gad7_change"] == -2
    assert features["item9_baseline"] == 1 and features["anhedonia_latest"] == 1
    assert features["checkin_mood"] == 5.0 and features["has_checkins"] == 1.0
    assert features["checkins_per_week"] == pytest.approx(2 / 3)
    assert features["completion"] == pytest.approx(3 / 4)  # weeks 0, 2, 3 of 0-3
    assert features["weeks_observed"] == 3


def test_no_checkins_are_imputed_and_flagged() -> None:
    features = features_of(_history([(14, 12)]), as_of_day=14)
    assert features["has_checkins"] == 0.0 and features["checkin_mood"] == 5.0


@pytest.mark.parametrize(
    ("later", "as_of", "message"),
    [([], 28, "week 2"), ([(7, 12)], 28, "week 2"), ([(14, 12)], 10, "week 2")],
)
def test_not_eligible_before_week_two(later, as_of, message) -> None:
    with pytest.raises(NotEligible, match=message):
        features_of(_history(later), as_of_day=as_of)


@pytest.mark.parametrize(
    ("last_phq9", "last_day", "not_improved"),
    [
        (8, 80, False),  # 14 -> 8: 6 points, reliable improvement
        (9, 80, True),  # 5 points: not reliable
        (8, 100, True),  # reliable, but after week 12
    ],
)
def test_label_is_nhs_tt_reliable_improvement_by_week_12(last_phq9, last_day, not_improved):
    history = history_of(
        [(0, "phq9", 14, ()), (0, "gad7", 12, ()), (14, "phq9", 13, ()), (14, "gad7", 12, ()),
         (last_day, "phq9", last_phq9, ()), (last_day, "gad7", 11, ())],
        [],
    )  # fmt: skip
    assert no_reliable_improvement_by_week_12(history, date(2026, 1, 5)) is not_improved


def test_explanation_words_and_direction() -> None:
    features = features_of(_history([(14, 13), (21, 12)]), as_of_day=21)
    rows = explain(features, dict.fromkeys(FEATURE_NAMES, 0.0) | {"phq9_change": 0.4})
    assert rows[0].words == "PHQ-9 fell 2 points in 3 weeks (raises the risk)"
    assert rows[-1].words.endswith("(little effect)")
