"""Reads for other domains: where a person can be reached on a channel."""

from __future__ import annotations

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
