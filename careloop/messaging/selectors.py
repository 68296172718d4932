"""Reads of conversations, with access built in.

- A patient reads their own conversation with their care team.
- A member of the patient's care team reads it while the privacy policy lets them read the
  patient's messages stream (care.selectors.require_stream).
- Anyone else gets NotFound (404), whether the patient exists or not.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Min, Q, QuerySet

from careloop.accounts.types import Role
from careloop.care.selectors import (
    own_patient_record,
    patient_visible_to,
    patients_visible_to,
    require_stream,
)
from careloop.core.errors import NotFound
from careloop.messaging.models import Message
from careloop.messaging.types import Direction
from careloop.privacy.policy import DataStream

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

PAGE_MAX = 100
THREAD_LIST_MAX = 200


def own_conversation(user: User) -> Patient:
    """The signed-in patient's own record: their conversation with their care team."""
    return own_patient_record(user)


def team_conversation(user: User, patient_id: uuid.UUID) -> Patient:
    """A patient of the reader's care teams whose messages the reader may read."""
    if not user.works_in_care_team:
        raise NotFound("conversation")
    patient = patient_visible_to(user, patient_id)
    require_stream(user, patient, DataStream.MESSAGES)  # under the purpose it was opened for
    return patient


def messages_of(
    patient: Patient, *, before: datetime | None = None, limit: int = 50
) -> list[Message]:
    """The latest `limit` messages (1-100) sent before `before`, oldest first as a chat reads;
    `patient` must come from own_conversation or team_conversation."""
    messages = Message.objects.filter(service_id=patient.service_id, patient=patient)
    if before is not None:
        messages = messages.filter(sent_at__lt=before)
    latest = messages.select_related("sender").order_by("-sent_at")[: max(1, min(limit, PAGE_MAX))]
    return list(reversed(latest))


@dataclass(frozen=True)
class ThreadRow:
    patient: Patient
    last_sent_at: datetime
    unread: int  # messages from the patient nobody in the team has read yet
    oldest_unread_at: datetime | None


def team_threads(user: User) -> list[ThreadRow]:
    """Conversations of the reader's care teams, unread ones first, then the most recent."""
    if not user.works_in_care_team or user.service_id is None:
        return []
    unread = Q(direction=Direction.TO_TEAM, read_at=None)
    rows = list(
        Message.objects.filter(
            service_id=user.service_id,
            patient__in=patients_visible_to(user, stream=DataStream.MESSAGES),
        )
        .values("patient_id")
        .annotate(
            last_sent_at=Max("sent_at"),
            unread=Count("id", filter=unread),
            oldest_unread_at=Min("sent_at", filter=unread),
        )
        .order_by("-last_sent_at")[:THREAD_LIST_MAX]
    )
    # The same visibility as the rows came through (one query for the page's patients); a
    # patient whose consent was withdrawn in between is left out, not an error.
    patients = patients_visible_to(user, stream=DataStream.MESSAGES).in_bulk(
        [row["patient_id"] for row in rows]
    )
    threads = [
        ThreadRow(
            patient=patients[row["patient_id"]],
            last_sent_at=row["last_sent_at"],
            unread=row["unread"],
            oldest_unread_at=row["oldest_unread_at"],
        )
        for row in rows
        if row["patient_id"] in patients
    ]
    return sorted(threads, key=lambda row: row.unread == 0)  # stable: recency kept within each


def messages_visible_to(user: User) -> QuerySet[Message]:
    """Messages of the conversations `user` takes part in: the patient's own, or a patient of
    their care team whose messages stream they may read. Nobody else (fails closed)."""
    takes_part = user.role == Role.PATIENT or user.works_in_care_team
    if not user.is_authenticated or user.service_id is None or not takes_part:
        return Message.objects.none()
    return Message.objects.filter(
        service_id=user.service_id,
        patient__in=patients_visible_to(user, stream=DataStream.MESSAGES),
    )
