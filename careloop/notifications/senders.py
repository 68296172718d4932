"""Channel senders: SMTP for real e-mail, and recording senders for development and tests (and,
until a gateway is configured, for SMS and web push)."""

from __future__ import annotations

from django.core.mail import EmailMessage as DjangoEmail

from careloop.notifications.ports import OutboundMessage


class RecordingSender:
    """Keeps messages in memory instead of sending them (development and tests)."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    def send(self, message: OutboundMessage) -> None:
        self.sent.append(message)


class SmtpEmailSender:
    """Sends through Django's SMTP backend (EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS... settings)."""

    def send(self, message: OutboundMessage) -> None:
        email = DjangoEmail(
            subject=message.subject,
            body=message.body,
            to=[message.address],
            headers={"Idempotency-Key": message.idempotency_key},
        )
        email.send(fail_silently=False)
