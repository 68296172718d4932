"""A message between a patient and their care team (careloop.messaging) → FHIR Communication.

The conversation is the patient's: `subject` is always the patient. A message to the team is
addressed to the patient's CareTeam. The text (`payload.contentString`) is only for the patient
and their care team; the caller says whether the reader is one of them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from careloop.fhir.mapping.common import Resource, instant, reference, with_meta

TO_TEAM = "to_team"


class MessageRecord(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def patient_id(self) -> uuid.UUID: ...
    @property
    def sender_id(self) -> uuid.UUID: ...
    @property
    def direction(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def sent_at(self) -> datetime: ...
    @property
    def read_at(self) -> datetime | None: ...


def communication_resource(
    message: MessageRecord, *, care_team_id: uuid.UUID | None, include_text: bool
) -> Resource:
    """`care_team_id`: the patient's team (the recipient of a message to the team)."""
    patient = reference("Patient", message.patient_id)
    to_team = message.direction == TO_TEAM
    resource: Resource = {
        "resourceType": "Communication",
        "id": str(message.id),
        "status": "completed",
        "subject": patient,
        "sent": instant(message.sent_at),
        "sender": patient if to_team else reference("Practitioner", message.sender_id),
    }
    if not to_team:
        resource["recipient"] = [patient]
    elif care_team_id is not None:
        resource["recipient"] = [reference("CareTeam", care_team_id)]
    if message.read_at is not None:
        resource["received"] = instant(message.read_at)
    if include_text:
        resource["payload"] = [{"contentString": message.body}]
    return with_meta(resource, message.read_at or message.sent_at)
