"""The FHIR REST endpoint: reads, searches, errors and access (every reply is schema-checked)."""

from __future__ import annotations

import pytest

from careloop.audit.models import AuditEvent
from careloop.audit.selectors import patient_ref
from careloop.audit.types import AuditAction
from careloop.fhir.mapping.conformance import CONFORMANCE_TYPES
from careloop.fhir.rest.capability import SUPPORTED
from careloop.safety.models import Alert


@pytest.fixture
def ben_fhir(fhir, ben):
    return fhir(ben)


def test_metadata_is_public_and_true(anonymous_fhir) -> None:
    response = anonymous_fhir.get("metadata")
    assert response.status_code == 200
    statement = response.json()
    assert statement["fhirVersion"] == "4.0.1"
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    # The clinical types, and the definitions Careloop's canonical URLs name (public, read-only).
    assert set(resources) == set(SUPPORTED) | set(CONFORMANCE_TYPES)
    qr = resources["QuestionnaireResponse"]
    assert {"read", "vread", "history-instance", "search-type", "create"} == {
        i["code"] for i in qr["interaction"]
    }
    assert qr["conditionalCreate"] is True
    assert "code" in {p["name"] for p in resources["Observation"]["searchParam"]}


def test_signed_out_clients_get_401_operation_outcome(anonymous_fhir) -> None:
    response = anonymous_fhir.get("Observation")
    assert response.status_code == 401
    assert response.json()["issue"][0]["code"] == "login"


def test_reads_return_etag_and_honour_if_none_match(ben_fhir, ada_phq9, ada_patient, ben) -> None:
    paths = [
        f"Patient/{ada_patient.id}",
        f"Practitioner/{ben.id}",
        f"CareTeam/{ada_patient.care_team_id}",
        "Questionnaire/phq9",
        "Questionnaire/audit-c",
        f"QuestionnaireResponse/{ada_phq9.id}",
        f"Observation/{ada_phq9.id}-total",
        f"Observation/{ada_phq9.id}-item-9",
        f"Flag/{Alert.objects.get(assessment=ada_phq9).id}",
    ]
    for path in paths:
        response = ben_fhir.get(path)
        assert response.status_code == 200, (path, response.json())
        resource = response.json()
        assert response["ETag"] == f'W/"{resource["meta"]["versionId"]}"'
        assert ben_fhir.get(path, None, **{"If-None-Match": response["ETag"]}).status_code == 304


def test_outsider_gets_404_on_reads_and_empty_searches(fhir, dana, ada_phq9, ada_patient, ben):
    dana_fhir = fhir(dana)
    alert = Alert.objects.get(assessment=ada_phq9)
    for path in [
        f"Patient/{ada_patient.id}",
        f"Practitioner/{ben.id}",
        f"CareTeam/{ada_patient.care_team_id}",
        f"QuestionnaireResponse/{ada_phq9.id}",
        f"Observation/{ada_phq9.id}-total",
        f"Flag/{alert.id}",
    ]:
        response = dana_fhir.get(path)
        assert response.status_code == 404, path
        assert response.json()["issue"][0]["code"] == "not-found"
    for resource_type in ("Patient", "QuestionnaireResponse", "Observation", "Flag", "CareTeam"):
        bundle = dana_fhir.get(resource_type, {"patient": str(ada_patient.id)}
                               if resource_type != "Patient" else {}).json()  # fmt: skip
        assert bundle["total"] == 0, resource_type


def test_patient_sees_own_data_but_not_the_teams_alerts(fhir, ada, ada_phq9, ada_patient) -> None:
    ada_fhir = fhir(ada)
    assert ada_fhir.get(f"Patient/{ada_patient.id}").status_code == 200
    assert ada_fhir.get("Observation", {"code": "44261-6"}).json()["total"] == 1
    assert ada_fhir.get("Flag").json()["total"] == 0


def test_search_by_patient_and_code_with_and_without_system(ben_fhir, ada_phq9, ada_patient):
    for code in ("44261-6", "http://loinc.org|44261-6"):
        bundle = ben_fhir.get("Observation", {"patient": f"Patient/{ada_patient.id}",
                                              "code": code}).json()  # fmt: skip
        assert bundle["total"] == 1
        assert bundle["entry"][0]["resource"]["valueQuantity"]["value"] == 10
    assert (
        ben_fhir.get("Observation", {"code": "http://snomed.info/sct|44261-6"}).json()["total"] == 0
    )
    everything = ben_fhir.get("Observation", {"subject": str(ada_patient.id)}).json()
    assert everything["total"] == 10  # total + 9 answered items


def test_paging_links_walk_every_observation_exactly_once(ben_fhir, ada_phq9) -> None:
    bundle = ben_fhir.get("Observation", {"_count": 3}).json()
    seen = [entry["resource"]["id"] for entry in bundle["entry"]]
    while next_link := next((x["url"] for x in bundle["link"] if x["relation"] == "next"), None):
        path = next_link.split("/fhir/r4/", 1)[1]
        bundle = ben_fhir.get(path).json()
        assert len(bundle["entry"]) <= 3
        seen += [entry["resource"]["id"] for entry in bundle["entry"]]
    assert len(seen) == len(set(seen)) == bundle["total"] == 10


def test_date_status_sort_and_last_updated(ben_fhir, ada, ada_patient) -> None:
    from careloop.fhir.tests.conftest import submit

    first = submit(ada_patient, ada, "gad7", [0] * 7)
    second = submit(ada_patient, ada, "gad7", [3] * 7)
    query = {"code": "70274-6"}
    oldest_first = ben_fhir.get("Observation", query | {"_sort": "date"}).json()
    assert [e["resource"]["id"] for e in oldest_first["entry"]] == [
        f"{first.id}-total", f"{second.id}-total"
    ]  # fmt: skip
    newest = ben_fhir.get("Observation", query | {"_sort": "-date"}).json()
    assert newest["entry"][0]["resource"]["valueQuantity"]["value"] == 21
    stamp = second.completed_at.isoformat()
    assert ben_fhir.get("Observation", query | {"date": f"ge{stamp}"}).json()["total"] == 1
    assert ben_fhir.get("Observation", query | {"date": "gt2100"}).json()["total"] == 0
    assert ben_fhir.get("Observation", query | {"date": "le2100"}).json()["total"] == 2
    assert ben_fhir.get("Observation", query | {"_lastUpdated": "ge2000"}).json()["total"] == 2
    assert ben_fhir.get("Observation", query | {"status": "preliminary"}).json()["total"] == 0
    assert ben_fhir.get("Observation", query | {"status": "final"}).json()["total"] == 2


def test_include_adds_the_referenced_patient_once(ben_fhir, ada_phq9, ada_patient) -> None:
    bundle = ben_fhir.get("Observation", {"_include": "Observation:patient"}).json()
    included = [e for e in bundle["entry"] if e["search"]["mode"] == "include"]
    assert [e["resource"]["id"] for e in included] == [str(ada_patient.id)]
    teams = ben_fhir.get("CareTeam", {"_include": "CareTeam:participant"}).json()
    assert {e["resource"]["resourceType"] for e in teams["entry"]} == {"CareTeam", "Practitioner"}


def test_search_reads_are_audited_per_patient(ben_fhir, ben, ada_phq9, ada_patient) -> None:
    ben_fhir.get("Observation", {"patient": str(ada_patient.id)})
    event = AuditEvent.objects.filter(actor=ben, action=AuditAction.ASSESSMENTS_VIEWED).get()
    assert event.patient_ref == patient_ref(ada_patient.id)
    assert event.detail == {"via": "fhir", "resource": "Observation", "interaction": "search-type"}


@pytest.mark.parametrize(
    ("path", "query", "fragment"),
    [
        ("Observation", {"date": "ap2026"}, "date"),  # "ap" is refused (search.py too)
        ("Observation", {"date": "last-week"}, "date"),
        ("Observation", {"_count": "lots"}, "_count"),
        ("Observation", {"_format": "xml"}, "JSON"),
        ("Patient", {"_sort": "secret"}, "sort"),
    ],
)
def test_bad_searches_get_400_operation_outcome(ben_fhir, path, query, fragment) -> None:
    response = ben_fhir.get(path, query)
    assert response.status_code in (400, 406)
    assert fragment in response.json()["issue"][0]["diagnostics"]


def test_unknown_parameters_warn_by_default_and_fail_when_strict(ben_fhir, ada_phq9) -> None:
    lenient = ben_fhir.get("Observation", {"colour": "red", "code": "44261-6"}).json()
    assert lenient["total"] == 1
    outcome = [e for e in lenient["entry"] if e["search"]["mode"] == "outcome"]
    assert "colour" in outcome[0]["resource"]["issue"][0]["diagnostics"]
    assert "colour" not in lenient["link"][0]["url"]
    strict = ben_fhir.get("Observation", {"colour": "red"}, Prefer="handling=strict")
    assert strict.status_code == 400
    assert "colour" in strict.json()["issue"][0]["diagnostics"]


def test_unknown_paths_and_methods_are_operation_outcomes(ben_fhir) -> None:
    assert ben_fhir.get("Medication").status_code == 404
    response = ben_fhir._checked(ben_fhir.client.delete("/fhir/r4/Patient/x"))
    assert response.status_code == 405
