"""AuditEvent: a patient's audit trail, for the patient and their care team only."""

from __future__ import annotations

import pytest

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.care.models import Patient
from careloop.fhir.mapping.audit_event import action_code


def _events(bundle):
    return [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


@pytest.fixture
def break_glass(dana, ada_patient):
    return record_event(
        actor=dana,
        action=AuditAction.BREAK_GLASS_STARTED,
        service_id=ada_patient.service_id,
        patient_id=ada_patient.id,
        purpose="ETREAT",
        obj=("BreakGlassGrant", "7"),
        source_ip="127.0.0.9",
    )


def test_patient_reads_their_own_trail(fhir, ada, ada_patient, ada_phq9) -> None:
    events = _events(fhir(ada).get("AuditEvent").json())
    submitted = [e for e in events if e["subtype"][0]["code"] == "assessment.submitted"]
    assert len(submitted) == 1
    event = submitted[0]
    assert event["action"] == "C" and event["outcome"] == "0"
    assert event["agent"][0]["who"] == {"reference": f"Patient/{ada_patient.id}"}
    assert event["entity"][0]["what"] == {"reference": f"Patient/{ada_patient.id}"}
    assert event["type"]["code"] == "110110"
    assert all("network" not in agent for e in events for agent in e["agent"])


def test_care_team_reads_a_named_patients_trail(fhir, ben, ada_patient, break_glass) -> None:
    client = fhir(ben)
    missing = client.get("AuditEvent")
    assert missing.status_code == 400  # staff name the patient
    events = _events(client.get("AuditEvent", {"patient": str(ada_patient.id)}).json())
    override = next(e for e in events if e["id"] == str(break_glass.id))
    assert override["subtype"][0] == {
        "system": "http://dicom.nema.org/resources/ontology/DCM",
        "code": "110127",
        "display": "Emergency Override Started",
    }
    assert override["purposeOfEvent"][0]["coding"][0]["code"] == "ETREAT"
    assert override["agent"][0]["network"] == {"address": "127.0.0.9", "type": "2"}
    assert override["agent"][0]["who"] == {"reference": f"Practitioner/{break_glass.actor_id}"}
    read = client.get(f"AuditEvent/{break_glass.id}")
    assert read.status_code == 200 and read.json() == override


def test_fhir_reads_show_up_as_rest_events(fhir, ben, ada_patient, ada_phq9) -> None:
    client = fhir(ben)
    client.get(f"Patient/{ada_patient.id}")
    bundle = client.get("AuditEvent", {"patient": str(ada_patient.id), "action": "R"}).json()
    events = _events(bundle)
    assert events and all(e["action"] == "R" for e in events)
    rest = [e for e in events if e["type"]["code"] == "rest"]
    assert {"system": "http://hl7.org/fhir/restful-interaction", "code": "read"} in rest[-1][
        "subtype"
    ]


def test_filters_by_agent_date_and_action(fhir, ben, ada, ada_patient, ada_phq9) -> None:
    client = fhir(ben)

    def total(**query: str) -> int:
        bundle = client.get("AuditEvent", {"patient": str(ada_patient.id), **query}).json()
        return int(bundle["total"])

    everything = total()
    assert everything >= 1
    assert total(agent=f"Patient/{ada_patient.id}") >= 1
    assert total(agent=f"Practitioner/{ben.id}", action="C") == 0
    assert total(date="lt2000-01-01") == 0
    # Every search is itself audited (one "audit.trail_viewed" each), so counts grow by one.
    every_code = total(action="C,R,U,D,E")
    assert total() == every_code + 1


def test_action_codes() -> None:
    assert action_code("assessment.history_viewed") == "R"
    assert action_code("safety_plan.version_saved") == "U"  # a new version of the one plan
    assert action_code("alert.acknowledged") == "U"
    assert action_code("consent.withdrawn") == "D"
    assert action_code("auth.signed_in") == "E"


def test_no_one_else_reads_the_trail(fhir, dana, service, north, ada_patient, break_glass):
    bea = User.objects.create_user(
        username="bea", password="another-long-passphrase", role=Role.PATIENT, service=service
    )
    Patient.objects.create(service=service, user=bea, care_team=north, display_name="Bea Test")
    for user in (dana, bea):
        client = fhir(user)
        assert client.get(f"AuditEvent/{break_glass.id}").status_code == 404
        for query in (
            {"patient": str(ada_patient.id)},
            {"patient": str(ada_patient.id), "_count": "10000"},
            {"patient": str(ada_patient.id), "_summary": "count"},
        ):
            bundle = client.get("AuditEvent", query).json()
            assert bundle["total"] == 0 and "entry" not in bundle
    bea_trail = _events(fhir(bea).get("AuditEvent").json())
    bea_id = bea.patient_record.id
    assert all(e["entity"][0]["what"]["reference"] == f"Patient/{bea_id}" for e in bea_trail)


def test_a_standard_client_filters_by_standard_subtype_and_type(
    fhir, ben, ada_patient, ada_phq9, break_glass
) -> None:
    client = fhir(ben)
    patient = str(ada_patient.id)
    client.get(f"Patient/{ada_patient.id}")  # recorded by the FHIR API: type rest, read

    def codes(**query: str) -> set[str]:
        bundle = client.get("AuditEvent", {"patient": patient, **query}).json()
        return {e["subtype"][0]["code"] if e["subtype"][0]["system"].startswith("https")
                else e["subtype"][1]["code"] for e in _events(bundle)}  # fmt: skip

    rest = "http://hl7.org/fhir/restful-interaction"
    assert codes(subtype=f"{rest}|create") >= {"assessment.submitted", "alert.raised"}
    assert "patient.viewed" not in codes(subtype=f"{rest}|create")
    assert codes(subtype=f"{rest}|read") == {"patient.viewed"}
    assert codes(subtype="assessment.submitted") == {"assessment.submitted"}
    assert codes(subtype="http://dicom.nema.org/resources/ontology/DCM|110127") == {
        "privacy.break_glass_started"
    }
    assert codes(type="rest") == {"patient.viewed", "audit.trail_viewed"}  # these searches too
    assert "patient.viewed" not in codes(type="110110")
    assert "assessment.submitted" in codes(type="110110")
    for event in _events(client.get("AuditEvent", {"patient": patient, "type": "rest"}).json()):
        assert event["type"]["code"] == "rest"
        assert event["subtype"][1]["system"] == rest
        assert event["subtype"][1]["code"] in ("read", "search-type")
