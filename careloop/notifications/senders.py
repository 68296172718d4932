"""E-mail sender implementations: a recording one for development and tests, SMTP for real."""

from __future__ import annotations

from django.core.mail import EmailMessage as DjangoEmail

from careloop.notifications.ports import EmailMessage


class RecordingEmailSender:
    """Development and test sender: keeps messages in memory instead of sending them."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


class SmtpEmailSender:
    """Sends through Django's e-mail backend (EMAIL_HOST, EMAIL_PORT... settings)."""

    def send(self, message: EmailMessage) -> None:
        email = DjangoEmail(
            subject=message.subject,
            body=message.body,
            to=[message.to],
            headers={"Idempotency-Key": message.idempotency_key},
        )
        email.send(fail_silently=False)
