"""Writes of monitoring, by concern: measurement plans and the job storing default plans
(`plans`), mood check-ins (`checkins`), the reminder job (`reminders`) and the audit of caseload
reads (`caseload`). Every write is one transaction and audited. The names below are monitoring's
public write surface; import them from here.
"""

from careloop.monitoring.services.caseload import record_caseload_viewed
from careloop.monitoring.services.checkins import MAX_NOTE_CHARS, MOOD_MAX, MOOD_MIN, record_checkin
from careloop.monitoring.services.plans import (
    PlanItemChange,
    change_plan_item,
    ensure_default_plan,
    ensure_default_plans,
    ensure_default_plans_job,
)
from careloop.monitoring.services.reminder_preferences import set_reminder_preference
from careloop.monitoring.services.reminders import send_due_reminders

__all__ = [
    "MAX_NOTE_CHARS",
    "MOOD_MAX",
    "MOOD_MIN",
    "PlanItemChange",
    "change_plan_item",
    "ensure_default_plan",
    "ensure_default_plans",
    "ensure_default_plans_job",
    "record_caseload_viewed",
    "record_checkin",
    "send_due_reminders",
    "set_reminder_preference",
]
