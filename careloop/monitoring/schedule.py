"""When a measure is due, overdue or missed, and when to remind. Pure: instants in, states out.

Days are counted on the calendar of the patient's time zone, so "due today" means today where the
patient lives, a 23-hour or 25-hour day at a daylight-saving change is still one day, and a
reminder "at 08:00" is 08:00 on the patient's wall clock whatever the UTC offset that day.

The model (docs/scheduling.md has worked examples):

1. A measure (a questionnaire, or the daily mood check-in) has a cadence: every `every_days`
   days, with `overdue_after_days` of grace. Its first due day is `every_days` after the local day
   of the last submission, but never before the day the plan item started (`starts_on`).
2. Due windows repeat from that day: window k opens on `due_on + k * every_days` and closes at the
   end of its last grace day, `due_on + k * every_days + overdue_after_days`. A grace shorter
   than the cadence keeps windows apart.
3. State: NOT_DUE before the first window opens; DUE while the first window is open; OVERDUE
   once it has closed without a submission. Any submission starts the cycle again.
4. Missed in a row = how many windows have closed since the last submission (all of them closed
   without one, by definition), so it needs only the last submission, never the whole history.
5. A reminder belongs to one window: it may go from `remind_before_days` before the window opens
   until the window closes, never during quiet hours on the patient's clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CHECKIN = "checkin"  # the measure id of the daily mood check-in (a monitoring CheckIn row)
MAX_EVERY_DAYS = 365


class DueState(enum.StrEnum):
    NOT_DUE = "not_due"
    DUE = "due"
    OVERDUE = "overdue"


class InvalidCadence(ValueError):
    """A cadence that cannot be scheduled; the message says which rule it breaks."""


@dataclass(frozen=True)
class Cadence:
    """How often one measure is due, how long it may wait, and how early to remind."""

    measure: str  # an instrument id ("phq9") or CHECKIN
    every_days: int
    overdue_after_days: int  # grace days after the due day before it counts as overdue
    remind_before_days: int = 0  # 0 = remind on the day the window opens

    def __post_init__(self) -> None:
        if not 1 <= self.every_days <= MAX_EVERY_DAYS:
            raise InvalidCadence(f"every_days must be from 1 to {MAX_EVERY_DAYS}")
        if not 0 <= self.overdue_after_days < self.every_days:
            # Otherwise the next window would open before this one closed.
            raise InvalidCadence("overdue_after_days must be from 0 to every_days - 1")
        if not 0 <= self.remind_before_days < self.every_days:
            raise InvalidCadence("remind_before_days must be from 0 to every_days - 1")


@dataclass(frozen=True)
class QuietHours:
    """Local times when no reminder is sent; `starts` after `ends` wraps past midnight."""

    starts: time
    ends: time

    def contains(self, moment: time) -> bool:
        if self.starts <= self.ends:
            return self.starts <= moment < self.ends
        return moment >= self.starts or moment < self.ends


# The default plan (Careloop's choice, not a clinical rule): PHQ-9 and GAD-7 weekly with three
# days' grace, WHO-5 "monthly" as every 28 days (so it stays on the same weekday) with a week's
# grace, and the mood check-in daily, due on the day itself.
DEFAULT_PLAN = (
    Cadence("phq9", every_days=7, overdue_after_days=3),
    Cadence("gad7", every_days=7, overdue_after_days=3),
    Cadence("who5", every_days=28, overdue_after_days=7),
    Cadence(CHECKIN, every_days=1, overdue_after_days=0),
)

# No reminder between 21:00 and 08:00 on the patient's clock (a Careloop default, not a clinical
# rule: late-evening and night-time prompts disturb sleep and are easy to miss).
QUIET_HOURS = QuietHours(starts=time(21, 0), ends=time(8, 0))
REMIND_AT = time(8, 0)  # the default time of day for a reminder (the end of default quiet hours)


@dataclass(frozen=True)
class ReminderTiming:
    """The patient's own reminder settings (monitoring.ReminderPreference), as the worker uses them.

    A reminder goes at `remind_at` on the patient's clock, or later that day if the worker was
    late; a time inside quiet hours moves to the end of quiet hours; nothing while paused
    (`paused`: until switched back on; `paused_until`: no reminder before that local day).
    Quiet hours with the same start and end mean no quiet hours.
    """

    remind_at: time = REMIND_AT
    quiet: QuietHours = QUIET_HOURS
    paused: bool = False
    paused_until: date | None = None

    @property
    def send_time(self) -> time:
        """The time of day reminders actually go: `remind_at`, deferred past quiet hours."""
        return self.quiet.ends if self.quiet.contains(self.remind_at) else self.remind_at

    def is_paused_on(self, day: date) -> bool:
        return self.paused or (self.paused_until is not None and day < self.paused_until)

    def allows(self, now: datetime, time_zone: str) -> bool:
        """May a reminder go now: not paused, not quiet, and the day's reminder time has come."""
        local = now.astimezone(zone_of(time_zone))
        if self.is_paused_on(local.date()) or self.quiet.contains(local.time()):
            return False
        return local.time() >= self.send_time


DEFAULT_TIMING = ReminderTiming()


@dataclass(frozen=True)
class DueStatus:
    measure: str
    state: DueState
    due_on: date  # the first due day (for OVERDUE: the day it has been due since)
    missed_in_a_row: int  # due windows closed without a submission since the last one

    @property
    def is_outstanding(self) -> bool:
        return self.state != DueState.NOT_DUE


def zone_of(time_zone: str) -> ZoneInfo:
    """The patient's zone, or a ValueError that names the bad value."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {time_zone!r}") from None


def local_date(instant: datetime, time_zone: str) -> date:
    """The calendar day of an aware instant on the patient's clock."""
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(zone_of(time_zone)).date()


def first_due_on(
    cadence: Cadence, last_completed_on: date | None, starts_on: date | None, today: date
) -> date:
    """Step 1: `every_days` after the last local completion day, never before the item started.

    With neither a submission nor a start day the measure is simply due today (it has no
    windows in the past to have missed).
    """
    candidates = [starts_on] if starts_on is not None else []
    if last_completed_on is not None:
        candidates.append(last_completed_on + timedelta(days=cadence.every_days))
    return max(candidates) if candidates else today


def missed_windows(cadence: Cadence, due_on: date, today: date) -> int:
    """Step 4: windows opened on due_on + k*every_days whose last grace day is before today."""
    days_late = (today - due_on).days
    if days_late <= cadence.overdue_after_days:
        return 0
    return (days_late - cadence.overdue_after_days - 1) // cadence.every_days + 1


def due_status(
    cadence: Cadence,
    last_completed_at: datetime | None,
    now: datetime,
    time_zone: str,
    *,
    starts_on: date | None = None,
) -> DueStatus:
    """Due state and missed-in-a-row count of one measure, on the patient's calendar."""
    today = local_date(now, time_zone)
    last_on = local_date(last_completed_at, time_zone) if last_completed_at else None
    due_on = first_due_on(cadence, last_on, starts_on, today)
    if today < due_on:
        return DueStatus(cadence.measure, DueState.NOT_DUE, due_on, 0)
    missed = missed_windows(cadence, due_on, today)
    state = DueState.DUE if missed == 0 else DueState.OVERDUE
    return DueStatus(cadence.measure, state, due_on, missed)


def is_quiet(now: datetime, time_zone: str, quiet: QuietHours = QUIET_HOURS) -> bool:
    return quiet.contains(now.astimezone(zone_of(time_zone)).time())


def reminder_window(
    cadence: Cadence,
    last_completed_at: datetime | None,
    now: datetime,
    time_zone: str,
    *,
    starts_on: date | None = None,
    quiet: QuietHours = QUIET_HOURS,
) -> date | None:
    """The opening day of the window this measure may be reminded about now, or None.

    1. Never during quiet hours on the patient's clock.
    2. Take the latest window whose reminder day (opening day - remind_before_days) has come.
    3. Remind only while that window is still open: a closed window waits for the next one,
       so a worker that was down overnight never sends yesterday's reminder today.
    """
    if is_quiet(now, time_zone, quiet):
        return None
    today = local_date(now, time_zone)
    last_on = local_date(last_completed_at, time_zone) if last_completed_at else None
    due_on = first_due_on(cadence, last_on, starts_on, today)
    days_since_first_reminder = (today - due_on).days + cadence.remind_before_days
    if days_since_first_reminder < 0:
        return None
    opens_on = due_on + timedelta(
        days=days_since_first_reminder // cadence.every_days * cadence.every_days
    )
    if today > opens_on + timedelta(days=cadence.overdue_after_days):
        return None
    return opens_on


def next_reminder_check(
    now: datetime, time_zone: str, timing: ReminderTiming = DEFAULT_TIMING
) -> datetime:
    """When a plan next needs looking at: the next local midnight or reminder time, in UTC.

    A reminder can only become sendable when a new local day starts (a new reminder day, the end
    of a pause) or when the day's reminder time comes (`timing.send_time`, already moved past quiet
    hours), so checking a plan at those moments is enough; a clinician's change to a plan or the
    patient's change to their reminders asks for an immediate check instead, and a submission
    only ever moves windows later.
    """
    zone = zone_of(time_zone)
    local_now = now.astimezone(zone)
    tomorrow = local_now.date() + timedelta(days=1)
    # Compared in UTC: aware datetimes sharing a tzinfo compare by wall clock, which is wrong in
    # the repeated hour when clocks go back.
    candidates = [
        datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)
        for day, moment in (
            (tomorrow, time(0, 0)),
            (local_now.date(), timing.send_time),
            (tomorrow, timing.send_time),
        )
    ]
    return min(c for c in candidates if c > now)
