"""Outbound delivery of alert messages: at least once, leased, retried, never silently dropped.

1. A step queues one AlertDelivery per recipient and outbound channel they can be reached on,
   in the step's transaction (outbox).
2. A worker claims due rows with SELECT ... FOR UPDATE SKIP LOCKED and leases them (owner, token,
   expiry), then sends outside any transaction: no lock is held across the network.
3. Success or failure is written only if the lease token still matches (fencing): a worker that
   was paused past its lease cannot overwrite the work of the one that took over.
4. A worker that dies leaves IN_FLIGHT rows with an expired lease; the sweeper puts them back.
   The message may then go out twice; the idempotency key lets the receiver drop the copy.
5. After MAX_ATTEMPTS a delivery FAILS; when every delivery of a step has failed, the fallback
   fires (fallback.fire_fallback) instead of the alert going nowhere.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet

from careloop.core import clock
from careloop.notifications.ports import OutboundMessage, sender_for
from careloop.notifications.selectors import address_for
from careloop.safety.models import OPEN_STATUSES, Alert, AlertDelivery
from careloop.safety.services.fallback import fire_fallback
from careloop.safety.types import DeliveryState, StepKind

log = logging.getLogger(__name__)

CLAIM_BATCH = 25
MAX_ATTEMPTS = 3  # reliability F9: fallback after N=3 failures
BACKOFF_BASE_SECONDS = 5
BACKOFF_CAP_SECONDS = 60  # reliability F9 (own): exponential, capped at 60 s
UNSETTLED = (DeliveryState.PENDING, DeliveryState.IN_FLIGHT, DeliveryState.DELIVERED)


class NoAddress(Exception):
    """The recipient has no address on this channel (permanent: retrying cannot help)."""


def lease_seconds() -> int:
    return int(getattr(settings, "SAFETY_DELIVERY_LEASE_SECONDS", 60))


def worker_id() -> str:
    """Who holds a lease: host and process (read at call time, so a forked worker differs)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s ... capped at 60 s after the n-th failed attempt."""
    return timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    )


def _message(delivery: AlertDelivery) -> OutboundMessage:
    address = address_for(delivery.recipient, delivery.channel)
    if not address:
        raise NoAddress(delivery.channel)
    alert = delivery.alert
    team = alert.patient.care_team.name
    fallback = delivery.step.kind == StepKind.FALLBACK
    # No name, no answers, no words: messages leave our control (reliability C14).
    subject = (
        f"Careloop FALLBACK: an urgent safety alert in {team} could not be delivered"
        if fallback
        else f"Careloop: a {alert.severity} safety alert needs acknowledgement"
    )
    body = (
        f"A patient of {team} has a {alert.severity} safety alert waiting for acknowledgement "
        f"(escalation step {delivery.step.number}). Open Careloop to acknowledge it."
    )
    return OutboundMessage(
        channel=delivery.channel,
        address=address,
        subject=subject,
        body=body,
        link_path=f"/alerts/{alert.id}/",
        idempotency_key=delivery.idempotency_key,
    )


def _claim() -> list[AlertDelivery]:
    now = clock.now()
    token = uuid.uuid4()
    with transaction.atomic():
        due = list(
            AlertDelivery.objects.select_for_update(skip_locked=True, no_key=True)
            .filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("id", flat=True)[:CLAIM_BATCH]
        )
        AlertDelivery.objects.filter(id__in=due).update(
            state=DeliveryState.IN_FLIGHT,
            lease_owner=worker_id(),
            lease_token=token,
            lease_expires_at=now + timedelta(seconds=lease_seconds()),
            attempts=F("attempts") + 1,
        )
    return list(
        AlertDelivery.objects.filter(id__in=due, lease_token=token).select_related(
            "recipient", "step", "alert__patient__care_team"
        )
    )


def deliver_alert_messages() -> int:
    """Worker job: send every due alert message once; return how many were attempted."""
    claimed = _claim()
    for delivery in claimed:
        if delivery.lease_expires_at is not None and clock.now() >= delivery.lease_expires_at:
            continue  # our lease ran out while earlier sends were slow: the sweeper retries it
        try:
            sender_for(delivery.channel).send(_message(delivery))
        except NoAddress:
            _record_failure(delivery, "no address", permanent=True)
        except Exception as error:  # any channel failure is retried, never lost
            log.warning("alert delivery %s failed: %s", delivery.id, type(error).__name__)
            _record_failure(delivery, type(error).__name__, permanent=False)
        else:
            _record_success(delivery)
    return len(claimed)


def _fenced(delivery: AlertDelivery) -> QuerySet[AlertDelivery]:
    """The row, only while this worker's lease on it still stands."""
    return AlertDelivery.objects.filter(
        id=delivery.id, lease_token=delivery.lease_token, state=DeliveryState.IN_FLIGHT
    )


def _record_success(delivery: AlertDelivery) -> None:
    _fenced(delivery).update(
        state=DeliveryState.DELIVERED, delivered_at=clock.now(), lease_expires_at=None
    )


def _record_failure(delivery: AlertDelivery, error: str, *, permanent: bool) -> None:
    """Schedule a retry, or fail for good and fire the fallback if the whole step failed."""
    now = clock.now()
    final = permanent or delivery.attempts >= MAX_ATTEMPTS
    with transaction.atomic():
        # Lock order everywhere: alert, then its deliveries, then stream heads (no deadlock).
        alert = (
            Alert.objects.select_for_update(no_key=True, of=("self",))
            .select_related("patient")
            .get(id=delivery.alert_id)
        )
        updated = _fenced(delivery).update(
            state=DeliveryState.FAILED if final else DeliveryState.PENDING,
            next_attempt_at=now + backoff(delivery.attempts),
            lease_expires_at=None,
            last_error=error[:200],
        )
        step_failed = not AlertDelivery.objects.filter(
            step_id=delivery.step_id, state__in=UNSETTLED
        ).exists()
        if updated and final and step_failed and alert.status in OPEN_STATUSES:
            fire_fallback(alert, reason="all channels failed")


def sweep_expired_leases() -> int:
    """Worker job: hand back deliveries whose worker died mid-send; return how many."""
    now = clock.now()
    with transaction.atomic():
        expired = list(
            AlertDelivery.objects.select_for_update(skip_locked=True, no_key=True)
            .filter(state=DeliveryState.IN_FLIGHT, lease_expires_at__lt=now)
            .values_list("id", flat=True)[:100]
        )
        AlertDelivery.objects.filter(id__in=expired).update(
            state=DeliveryState.PENDING,
            lease_owner="",
            lease_token=None,
            lease_expires_at=None,
            next_attempt_at=now,
            last_error="lease expired: the worker stopped mid-send",
        )
    if expired:
        log.warning("swept %d alert deliveries from a stopped worker", len(expired))
    return len(expired)
