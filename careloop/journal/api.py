"""JSON API of the journal: the patient writes and lists their own entries and shares one or
not; a care-team member lists the entries a patient shared."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field, StrictBool, StrictInt

from careloop.accounts.api import api_user
from careloop.care.selectors import own_patient_record
from careloop.core.api import ApiError, IsoDateTime
from careloop.core.http import client_ip
from careloop.core.text import FreeText
from careloop.journal import selectors, services
from careloop.journal.models import JournalEntry
from careloop.safety.text import ALERT_LEVELS, Level

router = Router(tags=["journal"], auth=django_auth)


class EntryIn(Schema):
    body: FreeText = Field(description=f"1-{services.MAX_BODY_CHARS:,} characters")
    # Strict: `0`/`1` are not a yes/no and `false` is not a mood (pydantic's lax mode took them).
    shared_with_team: StrictBool = Field(
        default=False, description="Share this entry with the care team (private by default)"
    )
    mood: StrictInt | None = Field(default=None, description="Optional, 0 (very low) to 10")
    client_id: uuid.UUID = Field(
        description="Chosen by the client; re-sending the same entry stores it only once"
    )
    written_at: IsoDateTime | None = Field(
        default=None,
        description="When the patient wrote it (offline clients), with a time zone; default now."
        " More than 5 minutes in the future is refused with a 422.",
    )


class EntryOut(Schema):
    id: uuid.UUID
    body: str
    mood: int | None
    shared_with_team: bool
    created_at: datetime
    client_id: uuid.UUID


class WrittenOut(EntryOut):
    concern_raised: bool = Field(
        description="Screening found crisis language: the care team was told; show crisis help"
    )
    screened: bool = Field(
        description="False when the entry's language is one the crisis screening does not cover:"
        " a clinician is asked to check in instead; show crisis help and say so"
    )


class SharingIn(Schema):
    shared_with_team: StrictBool


def _out(entry: JournalEntry) -> EntryOut:
    return EntryOut(
        id=entry.id,
        body=entry.body,
        mood=entry.mood,
        shared_with_team=entry.shared_with_team,
        created_at=entry.created_at,
        client_id=entry.client_id,
    )


@router.post(
    "/journal/entries",
    response={200: WrittenOut, 201: WrittenOut, 404: ApiError, 409: ApiError, 422: ApiError},
    summary="Write in my journal (201 stored, 200 already stored under this client id)",
)
def write_entry(request: HttpRequest, body: EntryIn) -> Status[WrittenOut]:
    user = api_user(request)
    entry, created = services.write_entry(
        user,
        own_patient_record(user),
        body=body.body,
        shared=body.shared_with_team,
        client_id=body.client_id,
        mood=body.mood,
        written_at=body.written_at,
    )
    out = WrittenOut(
        **_out(entry).dict(),
        concern_raised=entry.screen_level in ALERT_LEVELS,
        screened=entry.screen_level != Level.NOT_SCREENED.value,
    )
    return Status(201 if created else 200, out)


@router.get(
    "/journal/entries",
    response={200: list[EntryOut], 404: ApiError},
    summary="My journal entries, newest first (limit 1-100; page with before=<created_at>)",
)
def my_entries(
    request: HttpRequest, before: IsoDateTime | None = None, limit: int = 50
) -> list[EntryOut]:
    user = api_user(request)
    return [_out(e) for e in selectors.own_entries(user, before=before, limit=limit)]


@router.put(
    "/journal/entries/{entry_id}/sharing",
    response={200: EntryOut, 404: ApiError},
    summary="Share one of my entries with my care team, or make it private again",
)
def set_sharing(request: HttpRequest, entry_id: uuid.UUID, body: SharingIn) -> EntryOut:
    user = api_user(request)
    entry = selectors.own_entry(user, entry_id)
    return _out(services.set_sharing(user, entry, shared=body.shared_with_team))


@router.get(
    "/patients/{patient_id}/journal",
    response={200: list[EntryOut], 404: ApiError},
    summary="Entries a patient of my care teams shared (empty while they withhold the journal)",
)
def shared_entries(
    request: HttpRequest, patient_id: uuid.UUID, before: IsoDateTime | None = None, limit: int = 50
) -> list[EntryOut]:
    user = api_user(request)
    patient = selectors.team_patient(user, patient_id)
    entries = selectors.shared_entries(user, patient, before=before, limit=limit)
    services.record_shared_entries_viewed(user, patient, entries, source_ip=client_ip(request))
    return [_out(entry) for entry in entries]
