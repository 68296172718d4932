"""The notifications domain's public vocabulary: enums and value types other domains may use.

Models stay private to notifications; these are re-exported from its models for its own code."""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    IN_APP = "in_app"  # delivered by being stored: the in-app inbox reads this table
    EMAIL = "email"
    SMS = "sms"
    WEB_PUSH = "web_push"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; kept for the record and for the fallback
