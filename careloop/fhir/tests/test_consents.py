"""Consent: a patient's consent decisions, for the patient and their care team."""

from __future__ import annotations

from datetime import timedelta

import pytest

from careloop.core import clock
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.services import decide, publish_default_documents
from careloop.privacy.types import Choice


@pytest.fixture
def decisions(monkeypatch, ada, ada_patient):
    publish_default_documents(ada_patient.service_id)
    start = clock.now() + timedelta(minutes=1)  # after the documents took effect
    made = []
    for minutes, choice in ((0, Choice.GIVEN), (5, Choice.WITHDRAWN)):
        monkeypatch.setattr(clock, "now", lambda m=minutes: start + timedelta(minutes=m))
        made.append(
            decide(
                actor=ada,
                patient=ada_patient,
                purpose=PurposeOfUse.HRESCH,
                stream=DataStream.QUESTIONNAIRES,
                choice=choice,
            )
        )
    monkeypatch.undo()
    return made


def test_decisions_map_to_consents_with_status_and_provision(fhir, ada, decisions) -> None:
    given, withdrawn = decisions
    client = fhir(ada)
    current = client.get(f"Consent/{withdrawn.id}").json()
    assert current["status"] == "rejected"
    assert current["provision"]["type"] == "deny"
    assert current["provision"]["purpose"][0]["code"] == "HRESCH"
    assert current["provision"]["code"][0]["coding"][0]["code"] == "questionnaires"
    assert current["scope"]["coding"][0]["code"] == "patient-privacy"
    assert current["policyRule"]["coding"][0]["code"] == "OPTIN"
    assert current["sourceReference"]["identifier"]["value"] == "HRESCH/questionnaires/1"
    assert current["identifier"][0]["value"] == withdrawn.receipt
    earlier = client.get(f"Consent/{given.id}").json()
    assert earlier["status"] == "inactive" and earlier["provision"]["type"] == "permit"
    assert earlier["provision"]["period"]["end"] == current["dateTime"]
    assert earlier["meta"]["lastUpdated"] == current["dateTime"]


def test_search_by_status_purpose_and_date(fhir, ben, ada_patient, decisions) -> None:
    client = fhir(ben)

    def total(**query: str) -> int:
        return int(client.get("Consent", {"patient": str(ada_patient.id), **query}).json()["total"])

    assert total() == 2
    assert total(status="inactive") == 1 and total(status="rejected") == 1
    assert total(status="active") == 0
    assert total(purpose="HRESCH") == 2 and total(purpose="TREAT") == 0
    assert total(date="lt2000-01-01") == 0
    bundle = client.get("Consent", {"_include": "Consent:patient", "_sort": "date"}).json()
    matches = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "match"]
    assert [m["status"] for m in matches] == ["inactive", "rejected"]
    assert bundle["entry"][-1]["resource"]["resourceType"] == "Patient"


def test_outsiders_see_no_consent(fhir, dana, ada_patient, decisions) -> None:
    client = fhir(dana)
    assert client.get(f"Consent/{decisions[0].id}").status_code == 404
    for query in ({"patient": str(ada_patient.id)}, {"_count": "10000"}, {"_summary": "count"}):
        bundle = client.get("Consent", query).json()
        assert bundle["total"] == 0 and "entry" not in bundle
