"""Getting the word out: outbound deliveries (leased, retried), the numbered in-app inbox of each
recipient, and the fallback banner."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from careloop.care.models import CareTeam
from careloop.core.models import TenantModel
from careloop.notifications.types import Channel
from careloop.safety.models.alerts import Alert
from careloop.safety.models.escalation import EscalationStep
from careloop.safety.types import DeliveryState, InboxKind


class AlertDelivery(TenantModel):
    """One message about one alert step to one person on one outbound channel."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    step = models.ForeignKey(EscalationStep, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Sent with the message so the receiver drops a duplicate (delivery is at least once).
    idempotency_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # Lease: who is sending it and until when. A worker that dies leaves an expired lease the
    # sweeper takes back; the token fences a late writer out (it no longer matches).
    lease_owner = models.CharField(max_length=80, blank=True)
    lease_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = (
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["state", "lease_expires_at"], name="delivery_lease"),
        )


class RecipientStream(TenantModel):
    """The head of one person's alert stream: the last sequence number handed out."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_stream"
    )
    last_seq = models.PositiveBigIntegerField(default=0)


class InboxEntry(TenantModel):
    """One event in a person's alert stream; `seq` runs 1, 2, 3... with no gaps per recipient."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_inbox"
    )
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=14, choices=InboxKind.choices)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="inbox_entries")
    step = models.ForeignKey(
        EscalationStep, on_delete=models.CASCADE, null=True, related_name="inbox_entries"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("recipient", "seq")
        constraints = (
            models.UniqueConstraint(fields=["recipient", "seq"], name="inbox_seq_unique"),
        )


class FallbackBanner(TenantModel):
    """Shown to every staff member of the service while an undeliverable alert is unacknowledged.

    It names the team, never the patient: staff of other teams learn only that a team needs help.
    """

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="fallback_banner")
    care_team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=40)  # "all channels failed", "chain exhausted", ...
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = (models.Index(fields=["service", "resolved_at"]),)
