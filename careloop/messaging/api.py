"""JSON API of messaging: a patient and their care team write to each other; each side marks the
conversation read; the team lists its conversations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from careloop.accounts.api import api_user
from careloop.core.api import ApiError, IsoDateTime
from careloop.core.http import client_ip
from careloop.core.text import FreeText
from careloop.messaging import selectors, services
from careloop.safety.planning.selectors import crisis_card_for
from careloop.safety.text import ALERT_LEVELS, Level

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient
    from careloop.messaging.models import Message

router = Router(tags=["messaging"], auth=django_auth)


def not_monitored_notice(patient: Patient) -> str:
    """What the patient is always told: nobody reads messages around the clock."""
    emergency = crisis_card_for(patient).emergency
    number = emergency.number if emergency is not None and emergency.number else None
    call = f"call {number}" if number else "call your local emergency number"
    return f"Messages are read during working hours. If you are in danger now, {call}."


class MessageIn(Schema):
    body: FreeText = Field(description=f"1-{services.MAX_BODY_CHARS:,} characters")
    client_id: uuid.UUID = Field(
        description="Chosen by the client; re-sending the same message stores it only once"
    )


class MessageOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    direction: str = Field(description='"to_team" (from the patient) or "to_patient"')
    sender_id: uuid.UUID
    body: str
    sent_at: datetime
    read_at: datetime | None
    client_id: uuid.UUID


class SentOut(MessageOut):
    concern_raised: bool = Field(
        description="Screening found crisis language: the care team was told; show crisis help"
    )
    notice: str = Field(description="Show this to the patient: messages are not read 24/7")
    screened: bool = Field(
        description="False when the message's language is one the crisis screening does not"
        " cover: the team is asked to read it; show crisis help and say so"
    )


class ReadOut(Schema):
    marked_read: int


class ThreadOut(Schema):
    patient_id: uuid.UUID
    display_name: str
    unread: int
    oldest_unread_at: datetime | None
    last_sent_at: datetime


def _out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.id,
        patient_id=message.patient_id,
        direction=message.direction,
        sender_id=message.sender_id,
        body=message.body,
        sent_at=message.sent_at,
        read_at=message.read_at,
        client_id=message.client_id,
    )


def _sent(user: User, patient: Patient, body: MessageIn) -> Status[SentOut]:
    message, created = services.send_message(
        user, patient, body=body.body, client_id=body.client_id
    )
    out = SentOut(
        **_out(message).dict(),
        concern_raised=message.screen_level in ALERT_LEVELS,
        notice=not_monitored_notice(patient),
        screened=message.screen_level != Level.NOT_SCREENED.value,
    )
    return Status(201 if created else 200, out)


SEND_RESPONSES = {200: SentOut, 201: SentOut, 404: ApiError, 409: ApiError, 422: ApiError}


@router.post("/messages", response=SEND_RESPONSES, summary="Write to my care team")
def send_mine(request: HttpRequest, body: MessageIn) -> Status[SentOut]:
    user = api_user(request)
    return _sent(user, selectors.own_conversation(user), body)


@router.get(
    "/messages",
    response={200: list[MessageOut], 404: ApiError},
    summary="My conversation with my care team, oldest first (limit 1-100, page with before)",
)
def my_messages(
    request: HttpRequest, before: IsoDateTime | None = None, limit: int = 50
) -> list[MessageOut]:
    patient = selectors.own_conversation(api_user(request))
    return [_out(m) for m in selectors.messages_of(patient, before=before, limit=limit)]


@router.post(
    "/messages/read", response={200: ReadOut, 404: ApiError}, summary="Mark my messages read"
)
def read_mine(request: HttpRequest) -> ReadOut:
    user = api_user(request)
    patient = selectors.own_conversation(user)
    marked = services.mark_read(user, patient, source_ip=client_ip(request))
    return ReadOut(marked_read=marked)


@router.get(
    "/message-threads",
    response=list[ThreadOut],
    summary="Conversations of my care teams' patients, unread first",
)
def team_threads(request: HttpRequest) -> list[ThreadOut]:
    rows = selectors.team_threads(api_user(request))
    return [
        ThreadOut(
            patient_id=row.patient.id,
            display_name=row.patient.display_name,
            unread=row.unread,
            oldest_unread_at=row.oldest_unread_at,
            last_sent_at=row.last_sent_at,
        )
        for row in rows
    ]


@router.post(
    "/patients/{patient_id}/messages",
    response=SEND_RESPONSES,
    summary="Write to a patient of my care teams",
)
def send_to_patient(
    request: HttpRequest, patient_id: uuid.UUID, body: MessageIn
) -> Status[SentOut]:
    user = api_user(request)
    return _sent(user, selectors.team_conversation(user, patient_id), body)


@router.get(
    "/patients/{patient_id}/messages",
    response={200: list[MessageOut], 404: ApiError},
    summary="A patient's conversation with my care team, oldest first",
)
def patient_messages(
    request: HttpRequest, patient_id: uuid.UUID, before: IsoDateTime | None = None, limit: int = 50
) -> list[MessageOut]:
    user = api_user(request)
    patient = selectors.team_conversation(user, patient_id)
    shown = selectors.messages_of(patient, before=before, limit=limit)
    services.record_thread_viewed(user, patient, shown, source_ip=client_ip(request))
    return [_out(m) for m in shown]


@router.post(
    "/patients/{patient_id}/messages/read",
    response={200: ReadOut, 404: ApiError},
    summary="Mark a patient's messages to my care team read",
)
def read_patient_messages(request: HttpRequest, patient_id: uuid.UUID) -> ReadOut:
    user = api_user(request)
    patient = selectors.team_conversation(user, patient_id)
    marked = services.mark_read(user, patient, source_ip=client_ip(request))
    return ReadOut(marked_read=marked)
