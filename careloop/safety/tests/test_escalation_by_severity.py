"""Escalation depends on severity and the time of day (rule severity_routing, HZ-029): a low
alert tells the team at night but does not page on-call until quiet hours end; a high (or
moderate) alert pages every tier at any hour."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from careloop.audit.models import AuditEvent
from careloop.safety.models import Alert, EscalationStep
from careloop.safety.rules.routing import in_quiet_hours, quiet_hours_end, tier_may_fire
from careloop.safety.services import (
    escalate_overdue_alerts,
    notify_raised_alerts,
    raise_alert_by_clinician,
)

LONDON = ZoneInfo("Europe/London")


def _local(hour: int, minute: int = 0, day: int = 26, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


# ------------------------------------------------------------------ the pure routing table


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(7, 59, True), (8, 0, False), (12, 0, False), (19, 59, False), (20, 0, True), (0, 0, True),
     (3, 0, True)],
)  # fmt: skip
def test_quiet_hours_run_from_eight_in_the_evening_to_eight_in_the_morning(hour, minute, quiet):
    assert in_quiet_hours(_local(hour, minute)) is quiet


@pytest.mark.parametrize(
    ("severity", "target", "night", "day"),
    [
        ("low", "team_clinicians", True, True),
        ("low", "on_call", False, True),
        ("low", "service_lead", False, True),
        ("moderate", "on_call", True, True),
        ("high", "on_call", True, True),
        ("high", "service_lead", True, True),
        ("unknown", "on_call", True, True),  # never silenced by a missing table entry
    ],
)
def test_which_tiers_each_severity_fires_by_night_and_by_day(severity, target, night, day):
    assert tier_may_fire(severity, target, _local(3)) is night
    assert tier_may_fire(severity, target, _local(14)) is day


def test_quiet_hours_end_is_the_next_eight_oclock_local_across_a_clock_change() -> None:
    assert quiet_hours_end(_local(23, 30)) == _local(8, day=27)
    assert quiet_hours_end(_local(2, 15)) == _local(8)
    # The night the clocks go forward (29 March 2026): 08:00 BST is 07:00 UTC.
    end = quiet_hours_end(datetime(2026, 3, 28, 22, 0, tzinfo=LONDON))
    assert end.astimezone(UTC) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


# ------------------------------------------------------------------ through the escalation jobs


def _raise(patient, ben, severity: str) -> Alert:
    alert, _ = raise_alert_by_clinician(
        patient, actor=ben, severity=severity, reason="test", client_id=uuid.uuid4()
    )
    return alert


def _targets(alert: Alert) -> list[str]:
    steps = EscalationStep.objects.filter(alert=alert).order_by("number")
    return [step.target for step in steps]


def test_a_low_alert_at_night_tells_the_team_and_pages_on_call_only_in_the_morning(
    clock, ada_patient, ben, reachable
) -> None:
    clock.current = _local(2).astimezone(UTC)
    alert = _raise(ada_patient, ben, "low")
    notify_raised_alerts()
    assert _targets(alert) == ["team_clinicians"]  # the team sees it in the inbox at once

    clock.advance(minutes=15)
    escalate_overdue_alerts()
    alert.refresh_from_db()
    assert _targets(alert) == ["team_clinicians"]  # on-call not paged at 02:15
    assert alert.next_escalation_at == _local(8).astimezone(UTC)
    deferred = AuditEvent.objects.get(action="alert.escalation_deferred")
    assert deferred.detail["target"] == "on_call" and deferred.detail["severity"] == "low"

    clock.current = _local(7, 59).astimezone(UTC)
    escalate_overdue_alerts()
    assert _targets(alert) == ["team_clinicians"]
    clock.current = _local(8).astimezone(UTC)
    escalate_overdue_alerts()
    assert _targets(alert) == ["team_clinicians", "on_call"]  # deferred, never skipped


@pytest.mark.parametrize("severity", ["high", "moderate"])
def test_a_high_or_moderate_alert_at_night_pages_on_call_on_time(
    clock, ada_patient, ben, reachable, severity
) -> None:
    clock.current = _local(2).astimezone(UTC)
    alert = _raise(ada_patient, ben, severity)
    notify_raised_alerts()
    clock.advance(minutes=15)
    escalate_overdue_alerts()
    assert _targets(alert) == ["team_clinicians", "on_call"]
    assert not AuditEvent.objects.filter(action="alert.escalation_deferred").exists()


def test_a_low_alert_by_day_escalates_like_any_other(clock, ada_patient, ben, reachable) -> None:
    clock.current = _local(14).astimezone(UTC)
    alert = _raise(ada_patient, ben, "low")
    notify_raised_alerts()
    clock.advance(minutes=15)
    escalate_overdue_alerts()
    clock.advance(minutes=15)
    escalate_overdue_alerts()
    assert _targets(alert) == ["team_clinicians", "on_call", "service_lead"]


def test_a_low_alert_raised_late_evening_waits_for_the_service_time_zone(
    clock, ada_patient, ben, reachable
) -> None:
    service = ada_patient.service
    service.time_zone = "America/New_York"
    service.save(update_fields=["time_zone"])
    clock.current = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)  # 18:00 in New York: not quiet
    alert = _raise(ada_patient, ben, "low")
    notify_raised_alerts()
    clock.advance(minutes=15)
    escalate_overdue_alerts()
    assert _targets(alert) == ["team_clinicians", "on_call"]
