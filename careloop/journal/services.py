"""The journal's writes: a patient writes an entry (screened, audited) and shares it or not."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import access_purpose
from careloop.core import clock
from careloop.core.errors import InvalidInput, NotFound
from careloop.core.idempotency import replayed
from careloop.core.text import clean_free_text
from careloop.journal.models import JournalEntry
from careloop.journal.selectors import team_can_read_journal
from careloop.safety.services.screening import raise_alert_if_at_risk, screen_patient_text

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

MAX_BODY_CHARS = 10_000
MOOD_MIN, MOOD_MAX = 0, 10
# A phone's clock may run a little fast; more than this ahead is refused (as for check-ins).
MAX_CLOCK_SKEW = timedelta(minutes=5)


def _written_at(written_at: datetime | None, now: datetime) -> datetime:
    """When the entry was written: now, or the time an offline client sends (never later than
    now). The app's offline outbox sends entries written without a connection later
    (docs/patient-app/offline.md); they are dated when they were written, not when they arrived."""
    if written_at is None:
        return now
    if written_at.utcoffset() is None:
        raise InvalidInput("written_at needs a time zone offset, e.g. 2026-03-02T09:00Z")
    if written_at > now + MAX_CLOCK_SKEW:
        raise InvalidInput("written_at cannot be in the future")
    return min(written_at, now)


def clean_text(body: str, *, max_chars: int, what: str) -> str:
    """Line endings unified, surrounding blank space trimmed; refuse empty, NUL or too long."""
    if not isinstance(body, str):
        raise InvalidInput(f"the {what} must be text")
    text = clean_free_text(body, what=what)  # a lone surrogate is stored as U+FFFD (HZ-024)
    if not text:
        raise InvalidInput(f"please write something in the {what}")
    if "\x00" in text:
        raise InvalidInput(f"the {what} contains a character that cannot be stored (NUL)")
    if len(text) > max_chars:
        raise InvalidInput(f"the {what} can be at most {max_chars:,} characters")
    return text


def _check_mood(mood: int | None) -> None:
    if mood is None:
        return
    if isinstance(mood, bool) or not isinstance(mood, int) or not MOOD_MIN <= mood <= MOOD_MAX:
        raise InvalidInput(f"mood must be a whole number from {MOOD_MIN} to {MOOD_MAX}")


def _replayed(
    patient: Patient, client_id: uuid.UUID, body: str, shared: bool, mood: int | None
) -> JournalEntry | None:
    """The entry stored earlier under this client id, or None; a different entry is a conflict."""
    return replayed(
        JournalEntry.objects.filter(service_id=patient.service_id, patient=patient),
        client_id,
        content=lambda entry: (entry.body, entry.shared_with_team, entry.mood),
        sent=(body, shared, mood),
        what="entry",
    )


def write_entry(
    actor: User,
    patient: Patient,
    *,
    body: str,
    shared: bool,
    client_id: uuid.UUID,
    mood: int | None = None,
    written_at: datetime | None = None,
) -> tuple[JournalEntry, bool]:
    """Store one entry per client id; return it and whether it is new.

    1. Only the patient writes in their journal; validate before anything is written.
    2. A re-sent entry (same client id, same content) returns the stored one unchanged.
    3. Screen the text for crisis language (before the transaction: CPU work).
    4. One transaction: the entry, a text alert at moderate or above (evidence = the words that
       counted, even for a private entry) and the audit event (no text in it).
    """
    if patient.user_id is None or actor.id != patient.user_id:
        raise NotFound("journal")
    text = clean_text(body, max_chars=MAX_BODY_CHARS, what="journal entry")
    _check_mood(mood)
    created_at = _written_at(written_at, clock.now())
    if earlier := _replayed(patient, client_id, text, shared, mood):
        return earlier, False
    result = screen_patient_text(text)
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(
                service_id=patient.service_id,
                patient=patient,
                author=actor,
                body=text,
                mood=mood,
                shared_with_team=shared,
                created_at=created_at,
                screen_level=result.level.value,
                screened_with=result.detector_version,
                client_id=client_id,
            )
            alert = raise_alert_if_at_risk(
                patient,
                result,
                source=f"journal:{entry.id}",
                kind="journal",
                actor=actor,
                team_can_read=shared and team_can_read_journal(patient),
            )
            record_event(
                actor=actor,
                action=AuditAction.JOURNAL_ENTRY_WRITTEN,
                service_id=patient.service_id,
                patient_id=patient.id,
                purpose=PurposeOfUse.PATRQT,
                obj=("JournalEntry", entry.id),
                detail={
                    "shared_with_team": shared,
                    "screen_level": result.level.value,
                    "alert_id": str(alert.id) if alert else None,
                },
            )
    except IntegrityError:
        # Two copies of one entry raced; the other one won. Return it (or report the clash).
        if earlier := _replayed(patient, client_id, text, shared, mood):
            return earlier, False
        raise
    return entry, True


def set_sharing(actor: User, entry: JournalEntry, *, shared: bool) -> JournalEntry:
    """The patient shares an entry with their care team, or stops sharing it (audited)."""
    if entry.author_id != actor.id or entry.patient.user_id != actor.id:
        raise NotFound("journal entry")
    if entry.shared_with_team == shared:
        return entry
    with transaction.atomic():
        entry.shared_with_team = shared
        entry.save(update_fields=["shared_with_team"])
        record_event(
            actor=actor,
            action=AuditAction.JOURNAL_SHARING_CHANGED,
            service_id=entry.service_id,
            patient_id=entry.patient_id,
            purpose=PurposeOfUse.PATRQT,
            obj=("JournalEntry", entry.id),
            detail={"shared_with_team": shared},
        )
    return entry


def record_shared_entries_viewed(
    reader: User, patient: Patient, entries: list[JournalEntry], *, source_ip: str | None = None
) -> None:
    """A care-team member read shared entries (audited with their ids, never their text)."""
    record_event(
        actor=reader,
        action=AuditAction.JOURNAL_SHARED_ENTRIES_VIEWED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=access_purpose(patient),
        obj=("Patient", patient.id),
        source_ip=source_ip,
        detail={"entries": [str(entry.id) for entry in entries]},
    )
