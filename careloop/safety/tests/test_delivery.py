"""Outbound delivery: real SMTP on loopback, retries with backoff, the fallback, leases, fencing
and the receiver-side idempotency key (reliability F2, F9, F10, C14)."""

from __future__ import annotations

from collections import Counter

import pytest

from careloop.notifications.models import PushSubscription
from careloop.safety.models import AlertDelivery, FallbackBanner
from careloop.safety.services import (
    acknowledge_alert,
    deliver_alert_messages,
    notify_raised_alerts,
    sweep_expired_leases,
)
from careloop.safety.services import delivery as delivery_module
from careloop.safety.services.delivery import MAX_ATTEMPTS, _claim, _record_failure
from careloop.safety.types import DeliveryState


def test_email_goes_through_a_real_smtp_server_with_its_idempotency_key(
    smtp_sink, risk_alert, reachable, ben
) -> None:
    notify_raised_alerts()
    assert deliver_alert_messages() == 1
    [message] = smtp_sink.messages
    assert message["to"] == "ben@example.org"
    assert message["key"] == f"careloop-alert:{risk_alert.id}:1:{ben.id}:email"
    delivery = AlertDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 1)
    assert delivery.delivered_at is not None and delivery.lease_expires_at is None


def test_messages_carry_no_patient_detail(smtp_sink, risk_alert, reachable) -> None:
    notify_raised_alerts()
    deliver_alert_messages()
    [message] = smtp_sink.messages
    text = message["subject"] + message["body"]
    assert "Ada" not in text and "item" not in text and "phq9" not in text
    assert "Team North" in text and "high" in text


def test_sms_and_web_push_go_through_their_senders(recorded, risk_alert, ben) -> None:
    ben.phone_number = "+447700900123"
    ben.save(update_fields=["phone_number"])
    PushSubscription.objects.create(
        service_id=ben.service_id,
        user=ben,
        endpoint="https://push.example.invalid/ben",
        p256dh="key",
        auth="auth",
        created_at=risk_alert.raised_at,
    )
    notify_raised_alerts()
    assert deliver_alert_messages() == 2
    sms = recorded("sms").sent
    push = recorded("web_push").sent
    assert [m.address for m in sms] == ["+447700900123"]
    assert [m.address for m in push] == ["https://push.example.invalid/ben"]
    assert not FallbackBanner.objects.exists()


def test_a_failing_channel_is_retried_with_backoff_then_the_fallback_fires(
    clock, smtp_sink, risk_alert, reachable
) -> None:
    smtp_sink.refuse = True
    notify_raised_alerts()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert deliver_alert_messages() == 1
        delivery = AlertDelivery.objects.get(step__number=1)
        assert delivery.attempts == attempt and delivery.last_error == "SMTPRecipientsRefused"
        if attempt < MAX_ATTEMPTS:
            assert delivery.state == DeliveryState.PENDING
            waits.append((delivery.next_attempt_at - clock.now()).total_seconds())
            assert deliver_alert_messages() == 0  # not before the backoff is over
            clock.current = delivery.next_attempt_at
    assert waits == [5.0, 10.0]
    assert delivery.state == DeliveryState.FAILED
    banner = FallbackBanner.objects.get(alert=risk_alert)
    assert banner.reason == "all channels failed"
    fallback = AlertDelivery.objects.get(step__number=0)  # Sam (supervisor) paged as well
    assert fallback.recipient.username == "sam"


def test_a_channel_that_recovers_delivers_without_a_fallback(
    clock, smtp_sink, risk_alert, reachable
):
    smtp_sink.refuse = True
    notify_raised_alerts()
    deliver_alert_messages()
    smtp_sink.refuse = False
    clock.advance(seconds=5)
    assert deliver_alert_messages() == 1
    assert AlertDelivery.objects.get().state == DeliveryState.DELIVERED
    assert not FallbackBanner.objects.exists()


def test_a_worker_killed_after_sending_is_swept_and_the_receiver_drops_the_copy(
    clock, smtp_sink, risk_alert, reachable, monkeypatch
) -> None:
    """F2: the worker dies after the SMTP server accepted and before it marked the row."""
    notify_raised_alerts()

    def killed(delivery):
        raise SystemExit("SIGKILL")  # nothing after the send runs

    with monkeypatch.context() as patch:
        patch.setattr(delivery_module, "_record_success", killed)
        with pytest.raises(SystemExit):
            deliver_alert_messages()
    assert AlertDelivery.objects.get().state == DeliveryState.IN_FLIGHT
    assert sweep_expired_leases() == 0  # the lease still stands
    clock.advance(seconds=delivery_module.lease_seconds() + 1)
    assert sweep_expired_leases() == 1
    assert deliver_alert_messages() == 1
    assert AlertDelivery.objects.get().state == DeliveryState.DELIVERED
    raw = Counter(smtp_sink.keys())
    assert sum(raw.values()) == 2 and len(raw) == 1  # one duplicate on the wire, one effect


def test_a_paused_worker_cannot_overwrite_the_work_of_the_one_that_took_over(
    clock, smtp_sink, risk_alert, reachable
) -> None:
    """F10: worker A's lease expires while it is paused; B redelivers; A's late write is fenced."""
    notify_raised_alerts()
    [paused] = _claim()
    clock.advance(seconds=delivery_module.lease_seconds() + 1)
    sweep_expired_leases()
    assert deliver_alert_messages() == 1  # worker B
    _record_failure(paused, "TimeoutError", permanent=True)  # worker A wakes up and fails it
    delivery = AlertDelivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED and not FallbackBanner.objects.exists()


def test_nothing_is_sent_about_an_alert_acknowledged_before_its_turn(
    smtp_sink, risk_alert, reachable, ben
) -> None:
    notify_raised_alerts()
    acknowledge_alert(risk_alert, actor=ben)
    assert deliver_alert_messages() == 0
    assert smtp_sink.messages == []
    assert AlertDelivery.objects.get().state == DeliveryState.CANCELLED
