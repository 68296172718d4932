"""Who sees what: the patient all their entries; the care team only shared entries, only after
the patient agreed to share their journal; anyone else nothing (404)."""

from __future__ import annotations

import uuid

import pytest

from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.core.errors import NotFound
from careloop.journal import selectors
from careloop.privacy.types import Choice


def test_the_patient_sees_all_their_entries_newest_first(ada, write) -> None:
    first, second = write("First."), write("Second.", shared=True)
    assert [e.id for e in selectors.own_entries(ada)] == [second.id, first.id]


def test_the_team_sees_shared_entries_only_and_only_with_consent(
    ben, ada_patient, write, journal_consent
) -> None:
    write("Private thoughts.")
    shared = write("For my clinician.", shared=True)
    patient = selectors.team_patient(ben, ada_patient.id)
    assert selectors.shared_entries(ben, patient) == []  # opt-in: not agreed yet
    journal_consent(Choice.GIVEN)
    assert [e.id for e in selectors.shared_entries(ben, patient)] == [shared.id]
    journal_consent(Choice.WITHDRAWN)
    assert selectors.shared_entries(ben, patient) == []


def test_outsiders_get_not_found(dana, ada, ada_patient) -> None:
    with pytest.raises(NotFound):
        selectors.team_patient(dana, ada_patient.id)
    with pytest.raises(NotFound):
        selectors.team_patient(ada, ada_patient.id)  # a patient has no care-team view


def test_api_patient_writes_and_lists_own_entries(as_user, ada) -> None:
    client = as_user(ada)
    body = {"body": "I want to kill myself tonight.", "client_id": str(uuid.uuid4())}
    created = client.post("/api/journal/entries", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["concern_raised"] is True
    assert created.json()["shared_with_team"] is False
    again = client.post("/api/journal/entries", body, content_type="application/json")
    assert (again.status_code, again.json()["id"]) == (200, created.json()["id"])
    listed = client.get("/api/journal/entries?limit=10").json()
    assert [e["id"] for e in listed] == [created.json()["id"]]
    empty = {"body": " ", "client_id": str(uuid.uuid4())}
    assert (
        client.post("/api/journal/entries", empty, content_type="application/json").status_code
        == 422
    )


def test_api_sharing_and_the_clinician_list(
    as_user, ada, ben, dana, ada_patient, write, journal_consent
) -> None:
    entry = write("Shared later.")
    journal_consent()
    ada_client, ben_client = as_user(ada), as_user(ben)
    url = f"/api/patients/{ada_patient.id}/journal"
    assert ben_client.get(url).json() == []
    put = ada_client.put(
        f"/api/journal/entries/{entry.id}/sharing",
        {"shared_with_team": True},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["shared_with_team"] is True
    listed = ben_client.get(url)
    assert [e["id"] for e in listed.json()] == [str(entry.id)]
    event = AuditEvent.objects.filter(action=AuditAction.JOURNAL_SHARED_ENTRIES_VIEWED).last()
    assert event.detail == {"entries": [str(entry.id)]} and event.actor_id == ben.id
    assert as_user(dana).get(url).status_code == 404
    assert ada_client.get(url).status_code == 404
    other = ben_client.put(
        f"/api/journal/entries/{entry.id}/sharing",
        {"shared_with_team": False},
        content_type="application/json",
    )
    assert other.status_code == 404
