"""When a measure is due. Pure: dates in, state out. Days are counted in the patient's time zone,
so "due today" means today where the patient lives, not on the server.

The walking skeleton uses one default plan (PHQ-9 and GAD-7 weekly); per-care-plan measurement
plans, reminders and missed-in-a-row flags are issue #3.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


class DueState(enum.StrEnum):
    NOT_DUE = "not_due"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class MeasurePlan:
    instrument_id: str
    every_days: int
    overdue_after_days: int  # grace period after the due date before it counts as overdue


DEFAULT_PLAN = (MeasurePlan("phq9", 7, 3), MeasurePlan("gad7", 7, 3))


@dataclass(frozen=True)
class DueStatus:
    instrument_id: str
    state: DueState
    due_on: date


def due_status(
    plan: MeasurePlan, last_completed_at: datetime | None, now: datetime, time_zone: str
) -> DueStatus:
    """Due on the day `every_days` after the last completion (or today if never done)."""
    zone = ZoneInfo(time_zone)
    today = now.astimezone(zone).date()
    if last_completed_at is None:
        return DueStatus(plan.instrument_id, DueState.DUE, today)
    due_on = last_completed_at.astimezone(zone).date() + timedelta(days=plan.every_days)
    if today < due_on:
        state = DueState.NOT_DUE
    elif today <= due_on + timedelta(days=plan.overdue_after_days):
        state = DueState.DUE
    else:
        state = DueState.OVERDUE
    return DueStatus(plan.instrument_id, state, due_on)
