from __future__ import annotations

from django.conf import settings
from django.db import models

from careloop.core.fields import EncryptedTextField
from careloop.core.models import TenantModel
from careloop.notifications.types import Channel, DeliveryStatus


class PushSubscription(TenantModel):
    """A browser's Web Push subscription (endpoint and keys from PushManager.subscribe)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=500, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField()


class Notification(TenantModel):
    """One message to one person on one channel; the outbox the worker drains."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=200)
    # Reminder and alert texts can name what they are about: encrypted at rest like other free text.
    body = EncryptedTextField()
    link_path = models.CharField(max_length=200, blank=True)
    # The same logical message is queued once, whoever asks twice (e.g. a retried transaction).
    idempotency_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
