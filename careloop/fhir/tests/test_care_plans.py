"""CarePlan: measurement plans and safety plans (every reply is schema-checked by the client)."""

from __future__ import annotations

import pytest

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.audit.models import AuditEvent
from careloop.care.models import Patient
from careloop.monitoring.services import ensure_default_plan
from careloop.safety.planning.services import save_safety_plan

FIRST_PLAN = {
    "warning_signs": [{"text": "Cannot sleep for days"}],
    "people_to_ask_for_help": [{"text": "My sister", "phone": "+44 20 7946 0000"}],
}
SECOND_PLAN = FIRST_PLAN | {"internal_coping": [{"text": "Walk by the canal"}]}


@pytest.fixture
def ada_plans(ada, ben, ada_patient):
    measurement = ensure_default_plan(ada_patient, actor=ben)
    save_safety_plan(ada_patient, actor=ada, base_version=0, sections=FIRST_PLAN)
    version = save_safety_plan(ada_patient, actor=ben, base_version=1, sections=SECOND_PLAN)
    return measurement, version.plan


def _by_category(bundle):
    return {
        entry["resource"]["category"][0]["coding"][0]["code"]: entry["resource"]
        for entry in bundle.get("entry", [])
        if entry["search"]["mode"] == "match"
    }


def test_patient_and_care_team_see_both_plans(fhir, ada, ben, ada_patient, ada_plans) -> None:
    for user in (ada, ben):
        bundle = fhir(user).get("CarePlan", {"patient": str(ada_patient.id)}).json()
        assert bundle["total"] == 2
        plans = _by_category(bundle)
        assert set(plans) == {"measurement-plan", "safety-plan"}
        safety = plans["safety-plan"]
        assert safety["meta"]["versionId"] == "2"
        assert safety["author"] == {"reference": f"Practitioner/{ben.id}"}
        text = " ".join(a["detail"]["description"] for a in safety["activity"])
        assert "Walk by the canal" in text and "My sister (+44 20 7946 0000)" in text


def test_measurement_plan_activities_are_the_scheduled_questionnaires(
    fhir, ben, ada_patient, ada_plans
) -> None:
    measurement, _ = ada_plans
    plan = fhir(ben).get(f"CarePlan/{measurement.id}").json()
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert plan["subject"] == {"reference": f"Patient/{ada_patient.id}"}
    by_measure = {
        coding["code"]: activity["detail"]
        for activity in plan["activity"]
        for coding in activity["detail"]["code"]["coding"]
        if coding["system"].endswith("/measure")
    }
    item = measurement.items.get(measure="phq9")
    phq9 = by_measure["phq9"]
    canonical = "https://careloop.example/fhir/Questionnaire/phq9|1.0.0"
    assert phq9["instantiatesCanonical"] == [canonical]
    assert phq9["scheduledTiming"]["repeat"]["period"] == item.every_days
    assert phq9["scheduledTiming"]["repeat"]["periodUnit"] == "d"
    assert {"system": "http://loinc.org", "code": "44249-1"} in phq9["code"]["coding"]  # panel
    assert "checkin" in by_measure and "instantiatesCanonical" not in by_measure["checkin"]


def test_category_status_and_last_updated_filters(fhir, ben, ada_patient, ada_plans) -> None:
    client = fhir(ben)
    safety = client.get("CarePlan", {"category": "safety-plan"}).json()
    assert [e["resource"]["title"] for e in safety["entry"]] == ["Safety plan"]
    assert client.get("CarePlan", {"status": "completed"}).json()["total"] == 0
    assert client.get("CarePlan", {"status": "active"}).json()["total"] == 2
    assert client.get("CarePlan", {"_lastUpdated": "lt2000-01-01"}).json()["total"] == 0
    assert client.get("CarePlan", {"_lastUpdated": "ge2000-01-01"}).json()["total"] == 2


def test_paging_and_sort_merge_both_kinds(fhir, ben, ada_plans) -> None:
    client = fhir(ben)
    newest_first = client.get("CarePlan", {"_sort": "-_lastUpdated"}).json()
    stamps = [e["resource"]["meta"]["lastUpdated"] for e in newest_first["entry"]]
    assert stamps == sorted(stamps, reverse=True)
    first = client.get("CarePlan", {"_count": "1"}).json()
    assert first["total"] == 2 and len(first["entry"]) == 1
    following = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = client.get("CarePlan", {"_count": "1", "_offset": "1"}).json()
    assert "_offset=1" in following
    ids = {first["entry"][0]["resource"]["id"], second["entry"][0]["resource"]["id"]}
    assert len(ids) == 2


def test_include_subject(fhir, ben, ada_patient, ada_plans) -> None:
    bundle = fhir(ben).get("CarePlan", {"_include": "CarePlan:subject"}).json()
    included = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "include"]
    assert [(r["resourceType"], r["id"]) for r in included] == [("Patient", str(ada_patient.id))]


def test_outsiders_see_no_plan_and_no_count(fhir, dana, ada_patient, ada_plans) -> None:
    client = fhir(dana)
    measurement, safety = ada_plans
    for plan in (measurement, safety):
        assert client.get(f"CarePlan/{plan.id}").status_code == 404
        assert client.get(f"CarePlan/{plan.id}/_history").status_code == 404
        assert client.get(f"CarePlan/{plan.id}/_history/1").status_code == 404
    for query in (
        {"patient": str(ada_patient.id)},
        {"_include": "CarePlan:subject", "_count": "10000"},
        {"_id": str(safety.id)},
        {"_summary": "count"},
    ):
        bundle = client.get("CarePlan", query).json()
        assert bundle["total"] == 0 and "entry" not in bundle, query


def test_another_patient_sees_nothing(fhir, service, north, ada_plans) -> None:
    bea = User.objects.create_user(
        username="bea", password="another-long-passphrase", role=Role.PATIENT, service=service
    )
    Patient.objects.create(service=service, user=bea, care_team=north, display_name="Bea Test")
    _, safety = ada_plans
    client = fhir(bea)
    assert client.get("CarePlan").json()["total"] == 0
    assert client.get(f"CarePlan/{safety.id}").status_code == 404


def test_safety_plan_history_and_vread(fhir, ada, ada_plans) -> None:
    _, safety = ada_plans
    client = fhir(ada)
    read = client.get(f"CarePlan/{safety.id}")
    assert read["ETag"] == 'W/"2"'
    history = client.get(f"CarePlan/{safety.id}/_history").json()
    assert history["type"] == "history" and history["total"] == 2
    assert [e["resource"]["meta"]["versionId"] for e in history["entry"]] == ["2", "1"]
    assert [e["request"]["method"] for e in history["entry"]] == ["PUT", "POST"]
    first = client.get(f"CarePlan/{safety.id}/_history/1")
    assert first.status_code == 200 and first["ETag"] == 'W/"1"'
    assert first.json()["author"]["reference"] == f"Patient/{ada.patient_record.id}"
    assert "Walk by the canal" not in str(first.json())
    missing = client.get(f"CarePlan/{safety.id}/_history/3")
    assert missing.status_code == 404
    assert missing.json()["issue"][0]["code"] == "not-found"


def test_safety_plan_reads_are_audited_with_the_version(fhir, ben, ada_plans) -> None:
    _, safety = ada_plans
    fhir(ben).get(f"CarePlan/{safety.id}")
    event = AuditEvent.objects.filter(actor=ben, action="safety_plan.viewed").get()
    assert event.detail == {"via": "fhir-read", "version": 2}
