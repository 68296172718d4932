"""Escalation by severity (rule `severity_routing`): which tiers of a team's escalation policy an
alert may fire during quiet hours, and when quiet hours end. Pure: no Django.

Why: paging the on-call clinician at 3 a.m. for a low alert (a clinician's low-priority note, a
mild deterioration) teaches people to ignore the pager (alert fatigue, HZ-029), while a high
alert (a positive self-harm answer, a severe reliable deterioration) must reach on-call at any
hour. Moderate alerts keep the behaviour they had before this rule (every tier, any hour) until
the Clinical Safety Officer decides otherwise. Outside quiet hours every severity fires every
tier. A tier that may not fire waits until quiet hours end; it is deferred, never skipped.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from careloop.safety.rules.registry import SEVERITY_ROUTING

_QUIET = SEVERITY_ROUTING.parameters["quiet_hours"]
QUIET_START = time.fromisoformat(_QUIET["start"])
QUIET_END = time.fromisoformat(_QUIET["end"])
TIERS_IN_QUIET_HOURS: dict[str, frozenset[str]] = {
    severity: frozenset(tiers)
    for severity, tiers in SEVERITY_ROUTING.parameters["tiers_in_quiet_hours"].items()
}


def in_quiet_hours(local: datetime) -> bool:
    """Whether a local wall-clock time falls in quiet hours (which may span midnight)."""
    moment = local.time()
    if QUIET_START <= QUIET_END:
        return QUIET_START <= moment < QUIET_END
    return moment >= QUIET_START or moment < QUIET_END


def tier_may_fire(severity: str, target: str, local: datetime) -> bool:
    """Whether a tier (`team_clinicians`, `on_call`, `service_lead`) fires now for `severity`.

    An unknown severity is treated as high: a routing table must never silence an alert.
    """
    if not in_quiet_hours(local):
        return True
    allowed = TIERS_IN_QUIET_HOURS.get(severity, TIERS_IN_QUIET_HOURS["high"])
    return target in allowed


def quiet_hours_end(local: datetime) -> datetime:
    """The first end of quiet hours after `local` (aware, in the service's time zone)."""
    end = local.replace(
        hour=QUIET_END.hour, minute=QUIET_END.minute, second=0, microsecond=0, fold=0
    )
    if end <= local:
        end = (local + timedelta(days=1)).replace(
            hour=QUIET_END.hour, minute=QUIET_END.minute, second=0, microsecond=0, fold=0
        )
    return end
