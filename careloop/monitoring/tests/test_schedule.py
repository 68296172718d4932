from __future__ import annotations

from datetime import UTC, datetime

import pytest

from careloop.monitoring.schedule import DueState, MeasurePlan, due_status

WEEKLY = MeasurePlan("phq9", every_days=7, overdue_after_days=3)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_never_answered_is_due_today() -> None:
    status = due_status(WEEKLY, None, _at("2026-03-02T10:00"), "Europe/London")
    assert (status.state, status.due_on.isoformat()) == (DueState.DUE, "2026-03-02")


@pytest.mark.parametrize(
    ("now", "state"),
    [
        ("2026-03-08T12:00", DueState.NOT_DUE),  # day 6
        ("2026-03-09T12:00", DueState.DUE),  # day 7: due
        ("2026-03-12T12:00", DueState.DUE),  # last day of grace
        ("2026-03-13T12:00", DueState.OVERDUE),
    ],
)
def test_weekly_measure_moves_from_not_due_to_due_to_overdue(now: str, state: DueState) -> None:
    assert due_status(WEEKLY, _at("2026-03-02T12:00"), _at(now), "Europe/London").state == state


def test_days_are_counted_in_the_patients_time_zone() -> None:
    # 23:30 UTC on 1 March is already 2 March in Sydney, so there the next one is due on 9 March.
    last, now = _at("2026-03-01T23:30"), _at("2026-03-08T10:00")
    assert due_status(WEEKLY, last, now, "UTC").state == DueState.DUE
    sydney = due_status(WEEKLY, last, now, "Australia/Sydney")
    assert (sydney.state, sydney.due_on.isoformat()) == (DueState.NOT_DUE, "2026-03-09")
