"""The pure schedule: due / overdue / missed-in-a-row states and reminder windows, on the
patient's calendar, including the days the clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from careloop.monitoring.schedule import (
    CHECKIN,
    Cadence,
    DueState,
    InvalidCadence,
    QuietHours,
    due_status,
    is_quiet,
    next_reminder_check,
    reminder_window,
)

WEEKLY = Cadence("phq9", every_days=7, overdue_after_days=3)
DAILY = Cadence(CHECKIN, every_days=1, overdue_after_days=0)
LONDON = "Europe/London"


def _at(text: str) -> datetime:
    """An instant written in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_never_answered_without_a_start_day_is_due_today() -> None:
    status = due_status(WEEKLY, None, _at("2026-03-02T10:00"), LONDON)
    assert (status.state, status.due_on, status.missed_in_a_row) == (
        DueState.DUE,
        date(2026, 3, 2),
        0,
    )


@pytest.mark.parametrize(
    ("now", "state", "missed"),
    [
        ("2026-03-08T12:00", DueState.NOT_DUE, 0),  # day 6
        ("2026-03-09T12:00", DueState.DUE, 0),  # day 7: the first window opens
        ("2026-03-12T12:00", DueState.DUE, 0),  # last day of grace
        ("2026-03-13T12:00", DueState.OVERDUE, 1),  # first window closed without a submission
        ("2026-03-16T12:00", DueState.OVERDUE, 1),  # second window open
        ("2026-03-19T12:00", DueState.OVERDUE, 1),  # second window's last grace day
        ("2026-03-20T12:00", DueState.OVERDUE, 2),
        ("2026-03-27T12:00", DueState.OVERDUE, 3),
        ("2026-04-30T12:00", DueState.OVERDUE, 7),  # windows 9 Mar to 20 Apr closed
    ],
)
def test_weekly_measure_moves_through_due_overdue_and_counts_missed_windows(
    now: str, state: DueState, missed: int
) -> None:
    status = due_status(WEEKLY, _at("2026-03-02T12:00"), _at(now), LONDON)
    assert (status.state, status.missed_in_a_row, status.due_on) == (
        state,
        missed,
        date(2026, 3, 9),
    )


@pytest.mark.parametrize(
    ("last", "state", "missed"),
    [
        (None, DueState.OVERDUE, 10),  # started 28 Feb, never done: 28 Feb to 9 March closed
        ("2026-03-10T09:00", DueState.NOT_DUE, 0),  # done today: due tomorrow
        ("2026-03-09T20:00", DueState.DUE, 0),  # done yesterday: due today
        ("2026-03-08T20:00", DueState.OVERDUE, 1),  # missed yesterday
        ("2026-03-05T20:00", DueState.OVERDUE, 4),
    ],
)
def test_daily_check_in_counts_each_missed_day(
    last: str | None, state: DueState, missed: int
) -> None:
    status = due_status(
        DAILY,
        _at(last) if last else None,
        _at("2026-03-10T12:00"),
        LONDON,
        starts_on=date(2026, 2, 28),
    )
    assert (status.state, status.missed_in_a_row) == (state, missed)


def test_a_measure_is_never_due_before_its_plan_item_started() -> None:
    # Last PHQ-9 long before the item was added: due on the start day, nothing missed before it.
    status = due_status(
        WEEKLY, _at("2026-01-05T12:00"), _at("2026-03-02T12:00"), LONDON, starts_on=date(2026, 3, 2)
    )
    assert (status.state, status.due_on, status.missed_in_a_row) == (
        DueState.DUE,
        date(2026, 3, 2),
        0,
    )


def test_days_are_counted_in_the_patients_time_zone() -> None:
    # 23:30 UTC on 1 March is already 2 March in Sydney, so there the next one is due on 9 March.
    last, now = _at("2026-03-01T23:30"), _at("2026-03-08T10:00")
    assert due_status(WEEKLY, last, now, "UTC").state == DueState.DUE
    sydney = due_status(WEEKLY, last, now, "Australia/Sydney")
    assert (sydney.state, sydney.due_on) == (DueState.NOT_DUE, date(2026, 3, 9))


@pytest.mark.parametrize(
    ("zone", "last", "now", "expected_local", "expected_utc"),
    [
        # Spring forward in London (29 March 2026): fewer than 7 x 24 hours have passed at noon
        # BST on day 7, but it is the seventh calendar day, so it is due.
        (LONDON, "2026-03-22T12:30", "2026-03-29T11:00", DueState.DUE, DueState.DUE),
        # 00:30 BST on 2 April is still 1 April in UTC: the grace has ended only in London.
        (LONDON, "2026-03-22T12:00", "2026-04-01T23:30", DueState.OVERDUE, DueState.DUE),
        # Fall back in London (25 October 2026): 00:30 BST on the 25th is the 24th in UTC.
        (LONDON, "2026-10-18T10:00", "2026-10-24T23:30", DueState.DUE, DueState.NOT_DUE),
        # New York springs forward on 8 March 2026; 23:30 EST on 28 Feb is 1 March in UTC.
        (
            "America/New_York",
            "2026-03-01T04:30",
            "2026-03-07T17:00",
            DueState.DUE,
            DueState.NOT_DUE,
        ),
        # Sydney falls back on 5 April 2026 (AEDT +11 to AEST +10): done 00:30 AEDT on 30 March,
        # due 6 April; 23:30 AEST on 5 April is not yet due there, while UTC says 5 April is.
        (
            "Australia/Sydney",
            "2026-03-29T13:30",
            "2026-04-05T13:30",
            DueState.NOT_DUE,
            DueState.DUE,
        ),
    ],
)
def test_states_follow_the_local_calendar_across_daylight_saving_changes(
    zone: str,
    last: str,
    now: str,
    expected_local: DueState,
    expected_utc: DueState,
) -> None:
    assert due_status(WEEKLY, _at(last), _at(now), zone).state == expected_local
    assert due_status(WEEKLY, _at(last), _at(now), "UTC").state == expected_utc


def test_sydney_day_after_fall_back_is_counted_once() -> None:
    # 23:30 AEDT on 4 April (12:30 UTC) to 00:30 AEST on 12 April: 7 local days plus one.
    status = due_status(
        WEEKLY, _at("2026-04-04T12:30"), _at("2026-04-11T14:30"), "Australia/Sydney"
    )
    assert (status.state, status.due_on) == (DueState.DUE, date(2026, 4, 11))


@pytest.mark.parametrize(
    ("every", "grace", "lead", "fragment"),
    [
        (0, 0, 0, "every_days"),
        (366, 0, 0, "every_days"),
        (7, 7, 0, "overdue_after_days"),
        (7, -1, 0, "overdue_after_days"),
        (7, 3, 7, "remind_before_days"),
    ],
)
def test_unschedulable_cadences_are_refused_with_the_rule_broken(
    every: int, grace: int, lead: int, fragment: str
) -> None:
    with pytest.raises(InvalidCadence, match=fragment):
        Cadence("phq9", every, grace, lead)


# --- Quiet hours and reminder windows ----------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "zone", "quiet"),
    [
        ("2026-03-02T20:59", LONDON, False),
        ("2026-03-02T21:00", LONDON, True),
        ("2026-03-02T07:59", LONDON, True),
        ("2026-03-02T08:00", LONDON, False),
        ("2026-03-28T07:30", LONDON, True),  # 07:30 GMT
        ("2026-03-29T07:30", LONDON, False),  # 08:30 BST: the clocks went forward overnight
        ("2026-03-02T13:00", "America/New_York", False),  # 08:00 EST
        ("2026-03-02T12:59", "America/New_York", True),
    ],
)
def test_quiet_hours_are_read_on_the_patients_clock(now: str, zone: str, quiet: bool) -> None:
    assert is_quiet(_at(now), zone) is quiet


def test_quiet_hours_that_do_not_wrap_midnight() -> None:
    lunch = QuietHours(starts=time(12, 0), ends=time(13, 0))
    assert lunch.contains(time(12, 30)) and not lunch.contains(time(13, 0))


@pytest.mark.parametrize(
    ("cadence", "last", "now", "window"),
    [
        (WEEKLY, "2026-03-21T12:00", "2026-03-28T07:30", None),  # due today, but 07:30 is quiet
        (WEEKLY, "2026-03-21T12:00", "2026-03-28T08:00", date(2026, 3, 28)),
        (WEEKLY, "2026-03-22T12:00", "2026-03-29T07:30", date(2026, 3, 29)),  # 08:30 BST
        (WEEKLY, "2026-03-21T12:00", "2026-03-27T10:00", None),  # not yet
        (WEEKLY, "2026-03-21T12:00", "2026-03-30T10:00", date(2026, 3, 28)),  # same window
        (WEEKLY, "2026-03-21T12:00", "2026-04-01T10:00", None),  # window closed: wait
        (WEEKLY, "2026-03-21T12:00", "2026-04-04T10:00", date(2026, 4, 4)),  # the next window
        (Cadence("phq9", 7, 3, 1), "2026-03-21T12:00", "2026-03-27T10:00", date(2026, 3, 28)),
        (Cadence("phq9", 7, 3, 1), "2026-03-21T12:00", "2026-03-26T10:00", None),
        (DAILY, "2026-03-27T19:00", "2026-03-28T10:00", date(2026, 3, 28)),
        (DAILY, "2026-03-28T07:00", "2026-03-28T10:00", None),  # already done today
    ],
)
def test_reminder_window_is_the_open_window_outside_quiet_hours(
    cadence: Cadence, last: str, now: str, window: date | None
) -> None:
    assert reminder_window(cadence, _at(last), _at(now), LONDON) == window


def test_never_answered_measure_is_reminded_from_its_start_day() -> None:
    start = date(2026, 3, 2)
    assert reminder_window(WEEKLY, None, _at("2026-03-02T09:00"), LONDON, starts_on=start) == start
    assert reminder_window(WEEKLY, None, _at("2026-03-05T09:00"), LONDON, starts_on=start) == start
    assert reminder_window(WEEKLY, None, _at("2026-03-06T09:00"), LONDON, starts_on=start) is None


@pytest.mark.parametrize(
    ("now", "zone", "next_check"),
    [
        ("2026-03-28T10:00", LONDON, "2026-03-29T00:00"),  # next local midnight (GMT)
        ("2026-03-29T00:00", LONDON, "2026-03-29T07:00"),  # 08:00 BST on the change day
        ("2026-03-29T07:00", LONDON, "2026-03-29T23:00"),  # midnight BST
        ("2026-10-25T06:00", LONDON, "2026-10-25T08:00"),  # 08:00 GMT after falling back
        ("2026-03-02T12:00", "America/New_York", "2026-03-02T13:00"),  # 08:00 EST
    ],
)
def test_next_check_is_the_next_local_midnight_or_end_of_quiet_hours(
    now: str, zone: str, next_check: str
) -> None:
    assert next_reminder_check(_at(now), zone) == _at(next_check)


def test_naive_instants_and_unknown_zones_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_status(WEEKLY, datetime(2026, 3, 2, 12, 0), _at("2026-03-09T12:00"), LONDON)  # noqa: DTZ001
    with pytest.raises(ValueError, match="unknown time zone"):
        due_status(WEEKLY, None, _at("2026-03-09T12:00"), "Mars/Olympus_Mons")
