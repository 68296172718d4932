"""Communication: the patient's conversation with their care team."""

from __future__ import annotations

import uuid

import pytest

from careloop.messaging.services import send_message


@pytest.fixture
def conversation(ada, ben, ada_patient):
    to_team, _ = send_message(
        ada, ada_patient, body="Can we move Thursday?", client_id=uuid.uuid4()
    )
    reply, _ = send_message(ben, ada_patient, body="Yes, Friday at 10.", client_id=uuid.uuid4())
    return to_team, reply


def test_messages_map_to_communications(fhir, ada, ben, ada_patient, conversation) -> None:
    to_team, reply = conversation
    for user in (ada, ben):
        client = fhir(user)
        sent = client.get(f"Communication/{to_team.id}").json()
        assert sent["status"] == "completed"
        assert sent["subject"] == {"reference": f"Patient/{ada_patient.id}"}
        assert sent["sender"] == {"reference": f"Patient/{ada_patient.id}"}
        assert sent["recipient"] == [{"reference": f"CareTeam/{ada_patient.care_team_id}"}]
        assert sent["payload"] == [{"contentString": "Can we move Thursday?"}]
        answer = client.get(f"Communication/{reply.id}").json()
        assert answer["sender"] == {"reference": f"Practitioner/{ben.id}"}
        assert answer["recipient"] == [{"reference": f"Patient/{ada_patient.id}"}]


def test_search_by_sender_sent_and_sort(fhir, ben, ada_patient, conversation) -> None:
    client = fhir(ben)

    def total(**query: str) -> int:
        return int(client.get("Communication", query).json()["total"])

    assert total(patient=str(ada_patient.id)) == 2
    assert total(sender=f"Patient/{ada_patient.id}") == 1
    assert total(sender=f"Practitioner/{ben.id}") == 1
    assert total(sent="lt2000-01-01") == 0
    assert total(status="completed") == 2 and total(status="in-progress") == 0
    bundle = client.get(
        "Communication", {"_sort": "sent", "_include": "Communication:subject"}
    ).json()
    kinds = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in bundle["entry"]]
    assert kinds == [
        ("Communication", "match"),
        ("Communication", "match"),
        ("Patient", "include"),
    ]


def test_outsiders_see_no_message(fhir, dana, ada_patient, conversation) -> None:
    client = fhir(dana)
    assert client.get(f"Communication/{conversation[0].id}").status_code == 404
    for query in ({"patient": str(ada_patient.id)}, {"_count": "10000"}, {"_summary": "count"}):
        bundle = client.get("Communication", query).json()
        assert bundle["total"] == 0 and "entry" not in bundle
    assert "Thursday" not in str(client.get("Communication").json())
