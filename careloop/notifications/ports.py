"""The outbound-message port: one interface for every channel, an implementation per channel
chosen in settings (NOTIFICATION_SENDERS), so tests and development use recording fakes and a
deployment plugs in SMTP, an SMS gateway or a web-push service without touching the callers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class OutboundMessage:
    channel: str  # a notifications.models.Channel value
    address: str  # e-mail address, phone number (E.164) or web-push subscription endpoint
    subject: str
    body: str
    link_path: str
    # Sent with the message (e.g. an Idempotency-Key header) so a receiver can drop a duplicate:
    # delivery is at least once, and a crash between "sent" and "marked sent" re-sends.
    idempotency_key: str


class DeliveryError(Exception):
    """The channel could not take the message now; the outbox retries it later."""


class ChannelSender(Protocol):
    def send(self, message: OutboundMessage) -> None:
        """Hand the message to the channel or raise DeliveryError (any exception is retried)."""


def sender_for(channel: str) -> ChannelSender:
    """The configured sender of a channel (one instance per process)."""
    # Plain str key: a Channel member and its value must find the same cached instance.
    return _sender(str(channel))


@cache
def _sender(channel: str) -> ChannelSender:
    try:
        path = settings.NOTIFICATION_SENDERS[channel]
    except KeyError:
        raise DeliveryError(f"no sender configured for channel {channel!r}") from None
    sender: ChannelSender = import_string(path)()
    return sender
