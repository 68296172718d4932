"""The outbound e-mail port; the implementation is chosen by NOTIFICATION_EMAIL_SENDER."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    body: str
    idempotency_key: str  # sent as a header so a receiver can drop a duplicate delivery


class EmailSender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@cache
def email_sender() -> EmailSender:
    sender: EmailSender = import_string(settings.NOTIFICATION_EMAIL_SENDER)()
    return sender
