"""Queue and deliver notifications. Queueing joins the caller's transaction (outbox); delivery
runs in the worker, claims rows with SKIP LOCKED and retries with backoff."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Protocol

from django.db import transaction

from careloop.core import clock
from careloop.notifications.models import Notification, PushSubscription
from careloop.notifications.ports import DeliveryError, OutboundMessage, sender_for
from careloop.notifications.types import Channel, DeliveryStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BATCH_SIZE = 50


class Recipient(Protocol):
    """A person who belongs to a service (notifications sit below accounts: no User import)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def service_id(self) -> uuid.UUID | None: ...


def queue_notification(
    *,
    recipient: Recipient,
    channel: Channel,
    subject: str,
    body: str,
    idempotency_key: str,
    link_path: str = "",
) -> Notification:
    """Add a message to the outbox once per idempotency key (a second call returns the first)."""
    if recipient.service_id is None:
        raise ValueError("notifications go to people who belong to a service")
    now = clock.now()
    notification, _ = Notification.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "service_id": recipient.service_id,
            "recipient_id": recipient.id,
            "channel": channel,
            "subject": subject,
            "body": body,
            "link_path": link_path,
            "next_attempt_at": now,
            "created_at": now,
            # In-app messages are "delivered" by being in the table the inbox reads.
            "status": DeliveryStatus.SENT if channel == Channel.IN_APP else DeliveryStatus.PENDING,
            "sent_at": now if channel == Channel.IN_APP else None,
        },
    )
    return notification


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(15 * 2**attempts, 3600))


class NoAddress(DeliveryError):
    """The recipient cannot be reached on this channel at all: retrying would not help."""


def _address(notification: Notification) -> str:
    """Where this channel reaches the recipient; NoAddress if they have no such address."""
    recipient = notification.recipient
    if notification.channel == Channel.EMAIL:
        address = recipient.email
    elif notification.channel == Channel.SMS:
        address = getattr(recipient, "phone_number", "")
    else:
        subscription = PushSubscription.objects.filter(user=recipient).order_by("-created_at")
        address = subscription.values_list("endpoint", flat=True).first() or ""
    if not address:
        raise NoAddress(f"recipient has no {notification.channel} address")
    return address


def _deliver(notification: Notification) -> None:
    sender_for(notification.channel).send(
        OutboundMessage(
            channel=notification.channel,
            address=_address(notification),
            subject=notification.subject,
            body=notification.body,
            link_path=notification.link_path,
            idempotency_key=notification.idempotency_key,
        )
    )


def deliver_pending_notifications() -> int:
    """Send every due message on an outbound channel; return how many were sent.

    1. Lock a batch of due rows, skipping rows another worker holds (no double send).
    2. Try each; on failure count the attempt and push the next try back exponentially.
    3. After MAX_ATTEMPTS mark it FAILED, which keeps it visible rather than silently dropped.
    """
    now = clock.now()
    sent = 0
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")[:BATCH_SIZE]
        )
        for notification in due:
            notification.attempts += 1
            try:
                _deliver(notification)
            except Exception as error:  # any channel failure is retried, never lost
                log.warning("notification %s failed: %s", notification.id, type(error).__name__)
                notification.last_error = type(error).__name__
                notification.next_attempt_at = now + _backoff(notification.attempts)
                if isinstance(error, NoAddress) or notification.attempts >= MAX_ATTEMPTS:
                    notification.status = DeliveryStatus.FAILED
            else:
                notification.status = DeliveryStatus.SENT
                notification.sent_at = now
                sent += 1
            notification.save()
    return sent
