"""Collaborative-care response, remission and the 10–12-week review (clinical_spec.md §17)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from careloop.monitoring.outcomes.cocm import ReviewFlag, cocm_status

BASELINE_ON = date(2025, 3, 3)


def status(baseline: float, latest: float, days: int = 14):
    return cocm_status(
        baseline, latest, baseline_on=BASELINE_ON, as_of=BASELINE_ON + timedelta(days=days)
    )


@pytest.mark.parametrize(
    ("baseline", "latest", "is_response"),
    [(20, 10, True), (20, 11, False), (15, 7, True), (15, 8, False), (0, 0, False)],
)
def test_response_is_a_fifty_percent_drop(baseline: int, latest: int, is_response: bool) -> None:
    assert status(baseline, latest).is_response is is_response


@pytest.mark.parametrize(("latest", "is_remission"), [(4, True), (4.9, True), (5, False)])
def test_remission_is_below_five(latest: float, is_remission: bool) -> None:
    assert status(12, latest).is_remission is is_remission


@pytest.mark.parametrize(
    ("days", "review"),
    [
        (69, ReviewFlag.NOT_YET_DUE),  # 9.9 weeks
        (70, ReviewFlag.DUE),  # 10 weeks
        (84, ReviewFlag.DUE),  # 12 weeks
        (85, ReviewFlag.OVERDUE),
    ],
)
def test_review_window_for_a_patient_who_has_not_improved(days: int, review: ReviewFlag) -> None:
    assert status(18, 14, days).review == review


def test_no_review_after_response_or_remission() -> None:
    assert status(18, 9, 80).review == ReviewFlag.NOT_NEEDED  # response
    assert status(8, 4, 80).review == ReviewFlag.NOT_NEEDED  # remission without a 50 % drop


def test_percent_change_weeks_and_eligibility() -> None:
    result = status(16, 12, 21)
    assert result.percent_change == -25.0
    assert result.weeks_in_treatment == 3.0
    assert result.baseline_meets_eligibility
    assert not status(9, 4).baseline_meets_eligibility
