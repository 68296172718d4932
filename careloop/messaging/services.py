"""Messaging writes: send a message (screened, notified, audited) and mark a conversation read."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse

from careloop.accounts.selectors import active_members_of_team
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import access_purpose, in_care_team_of, require_write
from careloop.core import clock
from careloop.core.errors import InvalidInput, NotFound
from careloop.core.idempotency import replayed
from careloop.core.text import clean_free_text
from careloop.messaging.models import Message
from careloop.messaging.types import Direction
from careloop.notifications.services import queue_notification
from careloop.notifications.types import Channel
from careloop.safety.services.screening import raise_alert_if_at_risk, screen_patient_text

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

MAX_BODY_CHARS = 5_000


def clean_body(body: str) -> str:
    """Line endings unified, surrounding blank space trimmed; refuse empty, NUL or too long."""
    if not isinstance(body, str):
        raise InvalidInput("the message must be text")
    text = clean_free_text(body, what="message")  # a lone surrogate is stored as U+FFFD (HZ-024)
    if not text:
        raise InvalidInput("please write a message")
    if "\x00" in text:
        raise InvalidInput("the message contains a character that cannot be stored (NUL)")
    if len(text) > MAX_BODY_CHARS:
        raise InvalidInput(f"a message can be at most {MAX_BODY_CHARS:,} characters")
    return text


def direction_for(actor: User, patient: Patient) -> Direction:
    """The patient writes to their team; a member of the patient's team writes to the patient."""
    if patient.user_id is not None and actor.id == patient.user_id:
        return Direction.TO_TEAM
    if in_care_team_of(actor, patient):
        return Direction.TO_PATIENT
    raise NotFound("conversation")


def team_recipients(patient: Patient) -> list[User]:
    """Everyone who works in the patient's care team and can sign in."""
    return list(active_members_of_team(patient.care_team_id, patient.service_id))


def _recipients(patient: Patient, direction: Direction) -> list[User]:
    if direction == Direction.TO_TEAM:
        return team_recipients(patient)
    user = patient.user
    return [user] if user is not None and user.is_active else []


def _notify(message: Message, recipients: list[User]) -> None:
    """Queue "you have a new message" (no text, no name: a lock screen may show it)."""
    link = reverse("messaging:thread", args=[message.patient_id])
    if message.direction == Direction.TO_PATIENT:
        link = reverse("messaging:mine")
    for user in recipients:
        channels = [Channel.IN_APP, *([Channel.EMAIL] if user.email else [])]
        for channel in channels:
            queue_notification(
                recipient=user,
                channel=channel,
                subject="Careloop: you have a new message",
                body=f"You have a new message on Careloop. Sign in to read it: {link}",
                link_path=link,
                idempotency_key=f"message:{message.id}:{user.id}:{channel}",
            )


def _replayed(patient: Patient, sender: User, client_id: uuid.UUID, body: str) -> Message | None:
    """The sender's message stored earlier under this client id, or None (another text: 409)."""
    return replayed(
        Message.objects.filter(service_id=patient.service_id, patient=patient, sender=sender),
        client_id,
        content=lambda message: message.body,
        sent=body,
        what="message",
    )


def send_message(
    actor: User, patient: Patient, *, body: str, client_id: uuid.UUID
) -> tuple[Message, bool]:
    """Send one message per client id in the patient's conversation; return it and whether new.

    1. The patient writes to their care team; a member of that team writes to the patient.
    2. A re-sent message (same sender, client id and text) returns the stored one.
    3. A patient's message is screened for crisis language (before the transaction: CPU work).
    4. One transaction: the message, a text alert at moderate or above, a "new message"
       notification for each recipient (outbox; no text in it) and the audit event.
    """
    require_write(actor, patient)  # the patient or their team; never emergency access
    direction = direction_for(actor, patient)
    text = clean_body(body)
    if earlier := _replayed(patient, actor, client_id, text):
        return earlier, False
    result = screen_patient_text(text) if direction == Direction.TO_TEAM else None
    try:
        with transaction.atomic():
            message = Message.objects.create(
                service_id=patient.service_id,
                patient=patient,
                sender=actor,
                direction=direction,
                body=text,
                sent_at=clock.now(),
                screen_level=result.level.value if result else "",
                screened_with=result.detector_version if result else "",
                client_id=client_id,
            )
            alert = None
            if result is not None:
                alert = raise_alert_if_at_risk(
                    patient, result, source=f"message:{message.id}", kind="message", actor=actor
                )
            recipients = _recipients(patient, direction)
            _notify(message, recipients)
            record_event(
                actor=actor,
                action=AuditAction.MESSAGE_SENT,
                service_id=patient.service_id,
                patient_id=patient.id,
                purpose=PurposeOfUse.PATRQT
                if direction == Direction.TO_TEAM
                else PurposeOfUse.TREAT,
                obj=("Message", message.id),
                detail={
                    "direction": direction.value,
                    "recipients": len(recipients),
                    "screen_level": message.screen_level,
                    "alert_id": str(alert.id) if alert else None,
                },
            )
    except IntegrityError:
        if earlier := _replayed(patient, actor, client_id, text):
            return earlier, False
        raise
    return message, True


def mark_read(actor: User, patient: Patient, *, source_ip: str | None = None) -> int:
    """Mark every message to the reader's side of this conversation read; return how many.

    The patient reads what their team sent; any team member reads what the patient sent (the
    first one to open the conversation is recorded). Audited when something changed.
    """
    try:
        direction = direction_for(actor, patient)
    except NotFound:
        return 0  # a reader outside the conversation (emergency access) leaves it unread
    incoming = Direction.TO_PATIENT if direction == Direction.TO_TEAM else Direction.TO_TEAM
    now = clock.now()
    with transaction.atomic():
        unread = Message.objects.filter(
            service_id=patient.service_id, patient=patient, direction=incoming, read_at=None
        )
        count = unread.update(read_at=now, read_by=actor)
        if count:
            record_event(
                actor=actor,
                action=AuditAction.MESSAGE_READ,
                service_id=patient.service_id,
                patient_id=patient.id,
                purpose=PurposeOfUse.PATRQT
                if direction == Direction.TO_TEAM
                else PurposeOfUse.TREAT,
                obj=("Patient", patient.id),
                source_ip=source_ip,
                detail={"messages": count},
            )
    return count


def record_thread_viewed(
    reader: User, patient: Patient, messages: list[Message], *, source_ip: str | None = None
) -> None:
    """A care-team member read a conversation (audited with message ids, never their text)."""
    record_event(
        actor=reader,
        action=AuditAction.MESSAGE_THREAD_VIEWED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=access_purpose(patient),
        obj=("Patient", patient.id),
        source_ip=source_ip,
        detail={"messages": [str(message.id) for message in messages]},
    )
