"""Safety test helpers: a clock the test moves, a real SMTP server on loopback, risk submissions."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.core import clock as core_clock
from careloop.notifications import ports
from careloop.safety.models import Alert

PHQ9_ITEM9_TWO = [1, 1, 1, 1, 0, 1, 1, 0, 2]


class Clock:
    """Stands in for careloop.core.clock.now; moves only when the test says so."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    controlled = Clock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(core_clock, "now", controlled.now)
    return controlled


@dataclass
class SmtpSink:
    """Messages a real SMTP server on 127.0.0.1 received, with their Idempotency-Key headers."""

    port: int
    messages: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse: bool = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(
                {
                    "to": ",".join(envelope.rcpt_tos),
                    "subject": str(parsed["Subject"]),
                    "key": str(parsed["Idempotency-Key"]).strip(),
                    "body": parsed.get_content(),
                }
            )
        return "250 Message accepted"

    def keys(self) -> list[str]:
        with self.lock:
            return [m["key"] for m in self.messages]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:
    """Real e-mail: SmtpEmailSender -> Django's SMTP backend -> aiosmtpd on loopback."""
    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
    settings.NOTIFICATION_SENDERS = {
        **settings.NOTIFICATION_SENDERS,
        "email": "careloop.notifications.senders.SmtpEmailSender",
    }
    ports._sender.cache_clear()
    try:
        yield sink
    finally:
        controller.stop()
        ports._sender.cache_clear()


@pytest.fixture
def recorded(settings):
    """The recording senders of every channel, fresh for this test."""
    ports._sender.cache_clear()
    yield ports.sender_for
    ports._sender.cache_clear()


@pytest.fixture
def reachable(ben, sam):
    """Ben and Sam can be paged by e-mail (the personas have no address by default)."""
    ben.email, sam.email = "ben@example.org", "sam@example.org"
    ben.save(update_fields=["email"])
    sam.save(update_fields=["email"])
    return ben, sam


def submit_risk(ada, ada_patient, answers: list[int] | None = None) -> Alert:
    """Ada submits a PHQ-9 with item 9 = 2; return the alert it raised."""
    assessment, _ = submit_assessment(
        ada_patient,
        actor=ada,
        instrument_id="phq9",
        answers=list(answers or PHQ9_ITEM9_TWO),
        client_id=uuid.uuid4(),
        source=SubmissionSource.API,
    )
    return Alert.objects.get(assessment=assessment, rule_id="instrument_risk_item")


@pytest.fixture
def risk_alert(ada, ada_patient) -> Alert:
    return submit_risk(ada, ada_patient)
