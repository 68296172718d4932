"""write_entry: validated, idempotent, encrypted, audited without text, screened for crisis
language with the alert in the same transaction (even for a private entry)."""

from __future__ import annotations

import json
import uuid
from unittest import mock

import pytest
from django.db import connection

from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.core.errors import Conflict, InvalidInput, NotFound
from careloop.journal import services
from careloop.journal.models import JournalEntry
from careloop.journal.services import set_sharing, write_entry
from careloop.journal.tests.conftest import CRISIS, NEUTRAL
from careloop.safety.models import Alert
from careloop.safety.text.scoring import ALERT_SCORE


def test_crisis_language_in_a_private_entry_raises_a_text_alert_with_only_those_words(write):
    entry = write(CRISIS, shared=False)
    alert = Alert.objects.get(patient=entry.patient)
    assert alert.severity in ("moderate", "high")
    assert alert.evidence["source"] == f"journal:{entry.id}"
    assert alert.evidence["text_kind"] == "journal"
    quoted = [span["text"] for span in alert.evidence["spans"]]
    assert quoted and all(span["weight"] >= ALERT_SCORE for span in alert.evidence["spans"])
    assert any("kill myself" in text for text in quoted)
    # The care team sees the words that raised the concern, never the rest of the entry.
    assert "pasta" not in json.dumps(alert.evidence) and "sister" not in json.dumps(alert.evidence)
    assert (entry.screen_level, entry.shared_with_team) == (alert.severity, False)


@pytest.mark.parametrize("body", [NEUTRAL, "I would never kill myself.", "My friend wants to die."])
def test_a_neutral_or_hedged_entry_raises_nothing(write, body) -> None:
    write(body)
    assert not Alert.objects.exists()


def test_the_alert_rolls_back_with_the_entry(ada, ada_patient) -> None:
    with (
        mock.patch.object(services, "record_event", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        write_entry(ada, ada_patient, body=CRISIS, shared=False, client_id=uuid.uuid4())
    assert not JournalEntry.objects.exists()
    assert not Alert.objects.exists()


def test_a_resent_entry_is_stored_once_and_a_changed_one_conflicts(ada, ada_patient) -> None:
    client_id = uuid.uuid4()
    first, created = write_entry(ada, ada_patient, body=CRISIS, shared=True, client_id=client_id)
    again, created_again = write_entry(
        ada, ada_patient, body=CRISIS, shared=True, client_id=client_id
    )
    assert (created, created_again, again.id) == (True, False, first.id)
    assert Alert.objects.count() == 1
    with pytest.raises(Conflict):
        write_entry(ada, ada_patient, body="Something else", shared=True, client_id=client_id)


@pytest.mark.parametrize(
    ("body", "mood"),
    [("", None), ("   \n ", None), ("nul\x00byte", None), ("x" * 10_001, None), ("ok", 11),
     ("ok", -1), ("ok", True)],
)  # fmt: skip
def test_invalid_entries_are_refused_and_nothing_is_stored(ada, ada_patient, body, mood) -> None:
    with pytest.raises(InvalidInput):
        write_entry(ada, ada_patient, body=body, shared=False, client_id=uuid.uuid4(), mood=mood)
    assert not JournalEntry.objects.exists()


def test_only_the_patient_writes_in_their_journal(ben, ada_patient) -> None:
    with pytest.raises(NotFound):
        write_entry(ben, ada_patient, body=NEUTRAL, shared=True, client_id=uuid.uuid4())


def test_the_body_is_encrypted_at_rest_and_the_audit_holds_no_text(write) -> None:
    entry = write("A canary-journal-8f3a sentence.\r\nSecond line.", mood=4)
    assert (
        JournalEntry.objects.get(id=entry.id).body
        == "A canary-journal-8f3a sentence.\nSecond line."
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM journal_journalentry")
        [row] = cursor.fetchall()
    assert row[0].startswith("v1:") and "canary" not in row[0]
    event = AuditEvent.objects.get(action=AuditAction.JOURNAL_ENTRY_WRITTEN)
    assert set(event.detail) == {"shared_with_team", "screen_level", "alert_id"}
    assert event.detail["alert_id"] is None
    assert "canary" not in json.dumps(event.detail)


def test_sharing_is_per_entry_audited_and_only_by_the_author(write, ben) -> None:
    entry = write(NEUTRAL)
    set_sharing(entry.patient.user, entry, shared=True)
    assert JournalEntry.objects.get(id=entry.id).shared_with_team is True
    assert AuditEvent.objects.filter(action=AuditAction.JOURNAL_SHARING_CHANGED).count() == 1
    with pytest.raises(NotFound):
        set_sharing(ben, entry, shared=False)
