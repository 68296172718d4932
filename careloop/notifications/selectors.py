"""Reads for other domains: where a person can be reached on a channel."""

from __future__ import annotations

import uuid

from careloop.notifications.models import PushSubscription
from careloop.notifications.services import Recipient
from careloop.notifications.types import Channel


def address_for(recipient: Recipient, channel: str) -> str:
    """The recipient's address on `channel` ('' when they have none; in-app needs none)."""
    if channel == Channel.IN_APP:
        return ""
    if channel == Channel.EMAIL:
        return str(getattr(recipient, "email", "") or "")
    if channel == Channel.SMS:
        return str(getattr(recipient, "phone_number", "") or "")
    if channel == Channel.WEB_PUSH:
        endpoint = (
            PushSubscription.objects.filter(user_id=recipient.id)
            .order_by("-created_at")
            .values_list("endpoint", flat=True)
            .first()
        )
        return endpoint or ""
    return ""


def users_with_web_push(user_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these users have a web push subscription (for a worker choosing channels)."""
    return set(
        PushSubscription.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
