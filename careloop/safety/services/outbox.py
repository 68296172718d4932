"""The outbox of alert messages: queued in the transaction of the step that decided to send them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from careloop.core import clock
from careloop.notifications.selectors import address_for
from careloop.safety.models import Alert, AlertDelivery, EscalationStep
from careloop.safety.models.escalation import OUTBOUND_CHANNELS
from careloop.safety.types import DeliveryState

if TYPE_CHECKING:
    from careloop.accounts.models import User


def queue_deliveries(
    alert: Alert, step: EscalationStep, recipients: list[User], channels: list[str]
) -> int:
    """Queue the step's outbound messages for every recipient reachable on a wanted channel."""
    now = clock.now()
    wanted = [channel for channel in OUTBOUND_CHANNELS if str(channel) in channels]
    rows = [
        AlertDelivery(
            service_id=alert.service_id,
            alert=alert,
            step=step,
            recipient=recipient,
            channel=channel,
            idempotency_key=f"careloop-alert:{alert.id}:{step.number}:{recipient.id}:{channel}",
            next_attempt_at=now,
            created_at=now,
        )
        for recipient in recipients
        for channel in wanted
        if address_for(recipient, channel)
    ]
    AlertDelivery.objects.bulk_create(rows)
    return len(rows)


def cancel_pending_deliveries(alert: Alert) -> int:
    """Acknowledged: nobody needs paging about it any more (messages already sending go out)."""
    return AlertDelivery.objects.filter(alert=alert, state=DeliveryState.PENDING).update(
        state=DeliveryState.CANCELLED, last_error="acknowledged before sending"
    )
