"""Escalation timing under a clock the test controls (reliability C2/I6): each step fires when it
is due, none is skipped, none fires twice, and none fires after acknowledgement."""

from __future__ import annotations

from datetime import timedelta

import pytest

from careloop.audit.models import AuditEvent
from careloop.safety.errors import InvalidPolicy, SupervisorRequired
from careloop.safety.models import Alert, EscalationStep, FallbackBanner, InboxEntry
from careloop.safety.services import (
    TierSpec,
    acknowledge_alert,
    add_on_call_shift,
    escalate_overdue_alerts,
    notify_raised_alerts,
    rota_gaps,
    set_escalation_policy,
)
from careloop.safety.tests.conftest import submit_risk
from careloop.safety.types import AlertStatus, StepKind, TierTarget

MINUTE = timedelta(minutes=1)


def _steps(alert: Alert) -> list[tuple[int, str, object]]:
    return [
        (step.number, step.kind, step.fired_at)
        for step in EscalationStep.objects.filter(alert=alert).order_by("fired_at", "number")
    ]


def _told(alert: Alert, number: int) -> set[str]:
    entries = InboxEntry.objects.filter(alert=alert, step__number=number, kind="alert")
    return {entry.recipient.username for entry in entries}


def test_steps_fire_exactly_when_due_none_skipped_none_twice(clock, ada, ada_patient, reachable):
    start = clock.now()
    alert = submit_risk(ada, ada_patient)
    assert notify_raised_alerts() == 1
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NOTIFIED and alert.next_escalation_at == start + 15 * MINUTE
    assert _told(alert, 1) == {"ben"}  # tier 1: the patient's clinicians

    clock.advance(minutes=14, seconds=59)
    assert escalate_overdue_alerts() == 0
    clock.advance(seconds=1)  # 15:00 exactly
    assert escalate_overdue_alerts() == 1
    assert escalate_overdue_alerts() == 0  # same instant again: nothing fires twice
    assert _told(alert, 2) == {"sam"}  # tier 2: on call (empty rota -> supervisors)
    assert EscalationStep.objects.get(alert=alert, number=2).note == "rota gap: supervisors told"

    clock.advance(minutes=15)
    assert escalate_overdue_alerts() == 1  # tier 3: service lead (none set -> supervisors)
    clock.advance(minutes=15)
    assert escalate_overdue_alerts() == 1  # chain exhausted -> fallback
    assert escalate_overdue_alerts() == 0
    clock.advance(hours=5)
    assert escalate_overdue_alerts() == 0  # nothing after the chain ends

    assert _steps(alert) == [
        (1, StepKind.TIER, start),
        (2, StepKind.TIER, start + 15 * MINUTE),
        (3, StepKind.TIER, start + 30 * MINUTE),
        (0, StepKind.FALLBACK, start + 45 * MINUTE),
    ]
    banner = FallbackBanner.objects.get(alert=alert)
    assert banner.reason == "chain exhausted" and banner.resolved_at is None


def test_acknowledgement_stops_the_chain(clock, ada, ada_patient, reachable, ben):
    start = clock.now()
    alert = submit_risk(ada, ada_patient)
    notify_raised_alerts()
    clock.advance(minutes=15)
    escalate_overdue_alerts()
    clock.advance(minutes=5)
    acknowledge_alert(alert, actor=ben)
    for _ in range(6):
        clock.advance(minutes=15)
        assert escalate_overdue_alerts() == 0
    assert _steps(alert) == [(1, "tier", start), (2, "tier", start + 15 * MINUTE)]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.next_escalation_at is None
    acknowledged_at = alert.acknowledged_at
    assert acknowledged_at is not None
    assert all(step.fired_at <= acknowledged_at for step in alert.steps.all())


def test_a_late_worker_fires_the_missed_step_once_and_shifts_the_rest(
    clock, ada, ada_patient, reachable
):
    start = clock.now()
    alert = submit_risk(ada, ada_patient)
    notify_raised_alerts()
    clock.advance(minutes=50)  # the worker was down from minute 10 to minute 50
    assert escalate_overdue_alerts() == 1
    assert escalate_overdue_alerts() == 0  # no burst of every overdue tier at once
    clock.advance(minutes=15)
    assert escalate_overdue_alerts() == 1
    step2 = EscalationStep.objects.get(alert=alert, number=2)
    assert (step2.due_at, step2.fired_at) == (start + 15 * MINUTE, start + 50 * MINUTE)
    assert [n for n, _, _ in _steps(alert)] == [1, 2, 3]


def test_the_rota_decides_who_is_on_call(clock, ada, ada_patient, reachable, ben, sam, north):
    add_on_call_shift(
        north,
        actor=sam,
        user_id=ben.id,
        starts_at=clock.now() + 10 * MINUTE,
        ends_at=clock.now() + 20 * MINUTE,
    )
    alert = submit_risk(ada, ada_patient)
    notify_raised_alerts()
    clock.advance(minutes=15)
    escalate_overdue_alerts()
    assert _told(alert, 2) == {"ben"}  # on call now
    assert EscalationStep.objects.get(alert=alert, number=2).note == ""


def test_a_team_policy_with_a_named_service_lead(
    clock, ada, ada_patient, reachable, ben, sam, north
):
    set_escalation_policy(
        north,
        actor=sam,
        tiers=[
            TierSpec(TierTarget.SERVICE_LEAD, 60, ("in_app", "email")),
            TierSpec(TierTarget.TEAM_CLINICIANS, 120, ("email",)),
        ],
        service_lead_id=ben.id,
    )
    alert = submit_risk(ada, ada_patient)
    notify_raised_alerts()
    assert _told(alert, 1) == {"ben"}
    clock.advance(seconds=59)
    assert escalate_overdue_alerts() == 0
    clock.advance(seconds=1)
    assert escalate_overdue_alerts() == 1
    assert EscalationStep.objects.get(alert=alert, number=2).acknowledge_within_seconds == 120


def test_nobody_reachable_fires_the_fallback_at_once(clock, ada, ada_patient, ben, sam):
    """No one on the first tier has an e-mail, phone or push subscription: do not wait."""
    alert = submit_risk(ada, ada_patient)
    notify_raised_alerts()
    banner = FallbackBanner.objects.get(alert=alert)
    assert banner.reason == "nobody reachable" and banner.care_team_id == ada_patient.care_team_id
    assert _told(alert, 0) == {"sam"}  # supervisors told in-app as part of the fallback
    assert AuditEvent.objects.filter(
        action="alert.fallback_fired", object_id=str(alert.id)
    ).exists()


def test_only_a_supervisor_of_the_team_changes_the_policy(ben, sam, dana, north):
    tiers = [TierSpec(TierTarget.TEAM_CLINICIANS, 300)]
    with pytest.raises(SupervisorRequired):
        set_escalation_policy(north, actor=ben, tiers=tiers)
    with pytest.raises(SupervisorRequired):
        set_escalation_policy(north, actor=dana, tiers=tiers)
    policy = set_escalation_policy(north, actor=sam, tiers=tiers)
    assert (policy.version, policy.changed_by) == (2, sam)
    event = AuditEvent.objects.get(action="escalation.policy_changed")
    assert event.actor == sam and event.detail["version"] == 2


@pytest.mark.parametrize(
    "tiers",
    [
        [],
        [TierSpec(TierTarget.ON_CALL, 5)],
        [TierSpec(TierTarget.ON_CALL, 600, ("in_app",))],  # nobody would be paged
        [TierSpec(TierTarget.ON_CALL, 600, ("pager",))],
    ],
)
def test_a_policy_that_could_leave_an_alert_unpaged_is_refused(sam, north, tiers):
    with pytest.raises(InvalidPolicy):
        set_escalation_policy(north, actor=sam, tiers=tiers)


def test_outsiders_and_strangers_cannot_be_put_on_call(clock, sam, dana, north):
    with pytest.raises(InvalidPolicy):
        add_on_call_shift(
            north, actor=sam, user_id=dana.id, starts_at=clock.now(), ends_at=clock.now() + MINUTE
        )


def test_rota_gaps_are_found(clock, ben, sam, north):
    t0 = clock.now()
    add_on_call_shift(north, actor=sam, user_id=ben.id, starts_at=t0, ends_at=t0 + 60 * MINUTE)
    add_on_call_shift(
        north, actor=sam, user_id=sam.id, starts_at=t0 + 90 * MINUTE, ends_at=t0 + 120 * MINUTE
    )
    assert rota_gaps(north, t0, t0 + 180 * MINUTE) == [
        (t0 + 60 * MINUTE, t0 + 90 * MINUTE),
        (t0 + 120 * MINUTE, t0 + 180 * MINUTE),
    ]


def test_one_failing_alert_does_not_hold_up_the_others(
    clock, ada, ada_patient, reachable, monkeypatch
):
    """Each alert is told in its own transaction: one that fails rolls back alone, the others
    are still told, the job run still fails (so it is seen), and the next run retries it."""
    from careloop.safety.services import escalation

    poisoned = submit_risk(ada, ada_patient)
    healthy = submit_risk(ada, ada_patient)
    real_fire = escalation._fire_or_defer

    def fire_unless_poisoned(alert, *args, **kwargs):
        if alert.id == poisoned.id:
            raise RuntimeError("a fault in one alert")
        return real_fire(alert, *args, **kwargs)

    monkeypatch.setattr(escalation, "_fire_or_defer", fire_unless_poisoned)
    with pytest.raises(RuntimeError, match="a fault in one alert"):
        notify_raised_alerts()
    poisoned.refresh_from_db()
    healthy.refresh_from_db()
    assert poisoned.status == AlertStatus.RAISED and not InboxEntry.objects.filter(alert=poisoned)
    assert healthy.status == AlertStatus.NOTIFIED and _told(healthy, 1) == {"ben"}

    monkeypatch.setattr(escalation, "_fire_or_defer", real_fire)
    assert notify_raised_alerts() == 1  # the next tick retries the one that failed
    poisoned.refresh_from_db()
    assert poisoned.status == AlertStatus.NOTIFIED and _told(poisoned, 1) == {"ben"}
