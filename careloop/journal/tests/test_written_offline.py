"""An entry written offline (#14 item 2, docs/patient-app/offline.md) is dated when it was
written, not when the app's outbox sent it; a time too far ahead, or without a zone, is refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from careloop.core import clock
from careloop.core.errors import InvalidInput
from careloop.journal.services import write_entry
from careloop.journal.tests.conftest import NEUTRAL


def test_an_entry_written_offline_keeps_the_time_it_was_written(ada, ada_patient) -> None:
    yesterday = clock.now() - timedelta(days=1)
    entry, created = write_entry(
        ada, ada_patient, body=NEUTRAL, shared=False, client_id=uuid.uuid4(), written_at=yesterday
    )
    assert created and entry.created_at == yesterday


def test_a_clock_a_little_fast_is_read_as_now(ada, ada_patient) -> None:
    before = clock.now()
    entry, _ = write_entry(
        ada,
        ada_patient,
        body=NEUTRAL,
        shared=False,
        client_id=uuid.uuid4(),
        written_at=before + timedelta(minutes=2),
    )
    assert before <= entry.created_at <= clock.now()


@pytest.mark.parametrize(
    ("written_at", "message"),
    [
        (datetime.now(UTC) + timedelta(hours=1), "future"),
        (datetime(2026, 3, 2, 9, 0), "time zone"),  # noqa: DTZ001  # the naive time under test
    ],
)
def test_a_future_or_zoneless_time_is_refused(ada, ada_patient, written_at, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        write_entry(
            ada,
            ada_patient,
            body=NEUTRAL,
            shared=False,
            client_id=uuid.uuid4(),
            written_at=written_at,
        )


def test_the_api_takes_written_at(client, ada, ada_patient) -> None:
    client.force_login(ada)
    client_id = str(uuid.uuid4())
    sent = {"body": NEUTRAL, "client_id": client_id, "written_at": "2026-01-05T21:30:00+01:00"}
    first = client.post("/api/journal/entries", sent, content_type="application/json")
    again = client.post("/api/journal/entries", sent, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    stored = datetime.fromisoformat(first.json()["created_at"])
    assert stored == datetime(2026, 1, 5, 20, 30, tzinfo=UTC)
    assert again.json()["id"] == first.json()["id"]
