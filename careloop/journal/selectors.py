"""Reads of journal entries, with access built in.

- The patient reads all their own entries.
- The care team reads only entries the patient shared, and only while the privacy policy lets
  them read the patient's journal stream (care.selectors.require_stream; the journal is opt-in).
- Anyone else gets NotFound (404), whether the patient exists or not.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from careloop.care.selectors import own_patient_record, patient_visible_to, require_stream
from careloop.core.errors import DomainError, NotFound
from careloop.journal.models import JournalEntry
from careloop.privacy.consent import stream_permitted
from careloop.privacy.policy import DataStream, PurposeOfUse

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

PAGE_MAX = 100


def _page(
    entries: QuerySet[JournalEntry], before: datetime | None, limit: int
) -> list[JournalEntry]:
    if before is not None:
        entries = entries.filter(created_at__lt=before)
    return list(entries.order_by("-created_at")[: max(1, min(limit, PAGE_MAX))])


def own_entries(
    user: User, *, before: datetime | None = None, limit: int = 50
) -> list[JournalEntry]:
    """The signed-in patient's entries, newest first, `limit` at most (a page of 1-100)."""
    patient = own_patient_record(user)
    return _page(JournalEntry.objects.filter(service_id=patient.service_id, patient=patient),
                 before, limit)  # fmt: skip


def own_entry(user: User, entry_id: uuid.UUID) -> JournalEntry:
    patient = own_patient_record(user)
    entry = (
        JournalEntry.objects.filter(service_id=patient.service_id, patient=patient, id=entry_id)
        .select_related("patient")
        .first()
    )
    if entry is None:
        raise NotFound("journal entry")
    return entry


def team_patient(user: User, patient_id: uuid.UUID) -> Patient:
    """A patient of the reader's care teams (NotFound for anyone else)."""
    if not user.works_in_care_team:
        raise NotFound("patient")
    return patient_visible_to(user, patient_id)


def journal_readable(user: User, patient: Patient) -> bool:
    """Whether the privacy policy lets `user` read this patient's journal stream now."""
    try:
        require_stream(user, patient, DataStream.JOURNAL)  # under the purpose it was opened for
    except DomainError:
        return False
    return True


def shared_entries(
    user: User, patient: Patient, *, before: datetime | None = None, limit: int = 50
) -> list[JournalEntry]:
    """Entries the patient shared with the team, [] while the journal stream is withheld."""
    if not journal_readable(user, patient):
        return []
    entries = JournalEntry.objects.filter(
        service_id=patient.service_id, patient=patient, shared_with_team=True
    )
    return _page(entries, before, limit)


def team_can_read_journal(patient: Patient) -> bool:
    """Whether the patient has agreed that their care team may read shared entries (opt-in)."""
    return stream_permitted(
        patient_id=patient.id,
        service_id=patient.service_id,
        purpose=PurposeOfUse.TREAT,
        stream=DataStream.JOURNAL,
    )
