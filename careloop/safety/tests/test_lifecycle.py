"""The alert state machine: only the allowed moves, each audited with who and when."""

from __future__ import annotations

import pytest

from careloop.audit.models import AuditEvent
from careloop.core.errors import InvalidInput
from careloop.safety.errors import IllegalTransition, SecondClinicianRequired
from careloop.safety.models import TRANSITIONS, AlertDelivery, FallbackBanner, InboxEntry
from careloop.safety.services import (
    acknowledge_alert,
    close_alert,
    escalate_overdue_alerts,
    notify_raised_alerts,
    record_alert_action,
)
from careloop.safety.services.fallback import fire_fallback
from careloop.safety.types import AlertStatus, DeliveryState


def test_the_happy_path_is_audited_with_actor_and_time(
    clock, risk_alert, reachable, ben, sam
) -> None:
    notify_raised_alerts()
    clock.advance(minutes=3)
    alert = acknowledge_alert(risk_alert, actor=ben)
    assert (alert.status, alert.acknowledged_by, alert.acknowledged_at) == (
        AlertStatus.ACKNOWLEDGED,
        ben,
        clock.now(),
    )
    clock.advance(minutes=20)
    alert = record_alert_action(alert, actor=ben, outcome="contacted_patient", note="Spoke to Ada")
    assert (alert.status, alert.outcome, alert.outcome_note) == (
        AlertStatus.ACTIONED,
        "contacted_patient",
        "Spoke to Ada",
    )
    alert = close_alert(alert, actor=sam)
    assert (alert.status, alert.closed_by, alert.closed_at) == (
        AlertStatus.CLOSED,
        sam,
        clock.now(),
    )
    events = AuditEvent.objects.filter(object_id=str(alert.id)).order_by("id")
    assert [(e.action, e.actor.username if e.actor else None) for e in events] == [
        ("alert.raised", None),
        ("alert.notified", None),
        ("alert.acknowledged", "ben"),
        ("alert.actioned", "ben"),
        ("alert.closed", "sam"),
    ]
    assert all("Spoke" not in str(e.detail) for e in events)  # notes stay out of the audit


@pytest.mark.parametrize(
    ("moves", "illegal"),
    [
        ([], "action"),  # raised -> actioned skips acknowledgement
        ([], "close"),
        (["acknowledge"], "acknowledge"),  # twice
        (["acknowledge"], "close"),  # acknowledged -> closed skips the outcome
        (["acknowledge", "action"], "action"),
        (["acknowledge", "action", "close"], "acknowledge"),
        (["acknowledge", "action", "close"], "close"),
    ],
)
def test_illegal_moves_raise_a_conflict_and_change_nothing(risk_alert, ben, sam, moves, illegal):
    calls = {
        "acknowledge": lambda: acknowledge_alert(risk_alert, actor=ben),
        "action": lambda: record_alert_action(
            risk_alert, actor=ben, outcome="urgent_referral", note="Referred"
        ),
        "close": lambda: close_alert(risk_alert, actor=sam),
    }
    for move in moves:
        calls[move]()
    risk_alert.refresh_from_db()
    before = risk_alert.status
    with pytest.raises(IllegalTransition) as error:
        calls[illegal]()
    assert error.value.status_code == 409
    risk_alert.refresh_from_db()
    assert risk_alert.status == before


def test_the_transition_table_never_moves_backwards() -> None:
    order = [str(status) for status in AlertStatus]
    for current, targets in TRANSITIONS.items():
        assert all(order.index(target) > order.index(current) for target in targets)
    assert TRANSITIONS[AlertStatus.CLOSED] == frozenset()


def test_a_false_positive_is_closed_by_a_second_clinician(risk_alert, ben, sam) -> None:
    acknowledge_alert(risk_alert, actor=ben)
    record_alert_action(risk_alert, actor=ben, outcome="false_positive", note="Misread item")
    with pytest.raises(SecondClinicianRequired):
        close_alert(risk_alert, actor=ben)
    assert close_alert(risk_alert, actor=sam).status == AlertStatus.CLOSED


@pytest.mark.parametrize(("outcome", "note"), [("hugged", "x"), ("contacted_patient", "  ")])
def test_an_action_needs_a_known_outcome_and_a_note(risk_alert, ben, outcome, note) -> None:
    acknowledge_alert(risk_alert, actor=ben)
    with pytest.raises(InvalidInput):
        record_alert_action(risk_alert, actor=ben, outcome=outcome, note=note)


def test_acknowledging_cancels_queued_pages_clears_the_banner_and_tells_the_others(
    clock, ada, risk_alert, reachable, ben, sam
) -> None:
    notify_raised_alerts()
    clock.advance(minutes=15)
    escalate_overdue_alerts()  # sam told at step 2
    risk_alert.refresh_from_db()
    fire_fallback(risk_alert, reason="test")
    assert AlertDelivery.objects.filter(state=DeliveryState.PENDING).exists()
    acknowledge_alert(risk_alert, actor=sam)
    assert not AlertDelivery.objects.filter(state=DeliveryState.PENDING).exists()
    assert AlertDelivery.objects.filter(state=DeliveryState.CANCELLED).count() >= 2
    assert FallbackBanner.objects.get(alert=risk_alert).resolved_at == clock.now()
    acknowledged = InboxEntry.objects.filter(alert=risk_alert, kind="acknowledged")
    assert {entry.recipient.username for entry in acknowledged} == {"ben", "sam"}
