"""Reads for monitoring, by concern: what a measure is (`measures`), a patient's plan and
schedule (`plans`), and the caseload registry (`caseload`).

Patients always come from care.selectors (access built in); everything here takes a patient the
reader may already see, or a set of them, and reads in a constant number of queries. The names
below are monitoring's public read surface; import them from here.
"""

from careloop.monitoring.selectors.caseload import (
    MISSED_IN_A_ROW_FLAG,
    REGISTRY_INSTRUMENTS,
    REGISTRY_PAGE_SIZE,
    CaseloadPage,
    CaseloadRow,
    caseload_for,
    caseload_page,
    caseload_rows,
)
from careloop.monitoring.selectors.measures import (
    MeasureInfo,
    default_plan_cadences,
    measure_info,
    skipped_default_measures,
)
from careloop.monitoring.selectors.plans import (
    PlannedMeasure,
    ScheduleEntry,
    active_plan_of,
    checkins_of,
    default_starts_on,
    due_sentence,
    last_completions,
    patient_time_zone,
    plan_overview_for,
    planned_for_plan,
    schedule_entries,
    schedule_for,
)
from careloop.monitoring.selectors.reminders import (
    DEFAULT_SETTINGS,
    own_reminder_settings,
    reminder_settings_for_system,
    send_time_of,
    timing_of,
)
from careloop.monitoring.selectors.research import moods_for_research_for_system

__all__ = [
    "DEFAULT_SETTINGS",
    "MISSED_IN_A_ROW_FLAG",
    "REGISTRY_INSTRUMENTS",
    "REGISTRY_PAGE_SIZE",
    "CaseloadPage",
    "CaseloadRow",
    "MeasureInfo",
    "PlannedMeasure",
    "ScheduleEntry",
    "active_plan_of",
    "caseload_for",
    "caseload_page",
    "caseload_rows",
    "checkins_of",
    "default_plan_cadences",
    "default_starts_on",
    "due_sentence",
    "last_completions",
    "measure_info",
    "moods_for_research_for_system",
    "own_reminder_settings",
    "patient_time_zone",
    "plan_overview_for",
    "planned_for_plan",
    "reminder_settings_for_system",
    "schedule_entries",
    "schedule_for",
    "send_time_of",
    "skipped_default_measures",
    "timing_of",
]
