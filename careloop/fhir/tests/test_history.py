"""_history, vread, version ids and the refusal of writes to read-only types."""

from __future__ import annotations

import json

import pytest

from careloop.fhir.mapping.conformance import CONFORMANCE_TYPES
from careloop.fhir.rest.capability import SUPPORTED
from careloop.fhir.tests.fhir_assert import assert_valid_fhir
from careloop.safety.models import Alert
from careloop.safety.services import acknowledge_alert


@pytest.fixture
def ben_fhir(fhir, ben):
    return fhir(ben)


@pytest.fixture
def alert(ada_phq9) -> Alert:
    return Alert.objects.get(assessment=ada_phq9)


def test_flag_version_counts_lifecycle_moves(ben_fhir, ben, alert) -> None:
    first = ben_fhir.get(f"Flag/{alert.id}")
    assert first.json()["meta"]["versionId"] == "1" and first["ETag"] == 'W/"1"'
    acknowledge_alert(alert, actor=ben)
    current = ben_fhir.get(f"Flag/{alert.id}")
    assert current["ETag"] == 'W/"2"'
    # The old ETag no longer matches: a client's cached copy is refreshed.
    assert ben_fhir.get(f"Flag/{alert.id}", None, **{"If-None-Match": 'W/"1"'}).status_code == 200
    history = ben_fhir.get(f"Flag/{alert.id}/_history").json()
    assert history["total"] == 2
    versions = [e["resource"]["meta"]["versionId"] for e in history["entry"]]
    assert versions == ["2", "1"]
    assert history["entry"][1]["response"]["status"] == "201 Created"
    assert history["entry"][0]["request"] == {"method": "PUT", "url": f"Flag/{alert.id}"}
    old = ben_fhir.get(f"Flag/{alert.id}/_history/1")
    assert old.status_code == 200 and old["ETag"] == 'W/"1"'
    assert old.json()["meta"]["lastUpdated"] == first.json()["meta"]["lastUpdated"]


def test_history_pages_with_count(ben_fhir, ben, alert) -> None:
    acknowledge_alert(alert, actor=ben)
    page = ben_fhir.get(f"Flag/{alert.id}/_history", {"_count": "1"}).json()
    assert page["total"] == 2 and len(page["entry"]) == 1
    assert any(link["relation"] == "next" for link in page["link"])
    rest = ben_fhir.get(f"Flag/{alert.id}/_history", {"_count": "1", "_offset": "1"}).json()
    assert rest["entry"][0]["resource"]["meta"]["versionId"] == "1"


def test_unversioned_types_offer_their_current_version(ben_fhir, ada_patient, ada_phq9) -> None:
    for path in (f"Patient/{ada_patient.id}", f"QuestionnaireResponse/{ada_phq9.id}"):
        current = ben_fhir.get(path).json()
        version = current["meta"]["versionId"]
        history = ben_fhir.get(f"{path}/_history").json()
        assert history["total"] == 1
        assert history["entry"][0]["resource"] == current
        assert history["entry"][0]["request"]["method"] == "PUT"
        assert ben_fhir.get(f"{path}/_history/{version}").json() == current
        unknown = ben_fhir.get(f"{path}/_history/0000")
        assert unknown.status_code == 404 and unknown.json()["issue"][0]["code"] == "not-found"


def test_outsiders_get_404_on_history_and_vread(fhir, dana, ada, alert, ada_patient) -> None:
    for user in (dana, ada):  # ada: a patient never sees the team's flags
        client = fhir(user)
        assert client.get(f"Flag/{alert.id}/_history").status_code == 404
        assert client.get(f"Flag/{alert.id}/_history/1").status_code == 404
    dana_fhir = fhir(dana)
    assert dana_fhir.get(f"Patient/{ada_patient.id}/_history").status_code == 404
    assert dana_fhir.get("Patient/not-a-uuid/_history").status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_every_type_is_read_only_except_create(ben_fhir, alert, method) -> None:
    """Flags change only through the safety lifecycle (acknowledge, action, close), never by a
    FHIR write; no type accepts patch or delete, and only Patient accepts update (a patient's
    own contact details: test_patient_update.py)."""
    body = json.dumps({"resourceType": "Flag", "id": str(alert.id), "status": "inactive"})
    for resource_type in SUPPORTED:
        if method == "put" and resource_type == "Patient":
            continue
        path = f"/fhir/r4/{resource_type}/{alert.id}"
        response = getattr(ben_fhir.client, method)(
            path, body, content_type="application/fhir+json"
        )
        assert response.status_code == 405, (resource_type, response.status_code)
        outcome = response.json()
        assert_valid_fhir(outcome, resource_type="OperationOutcome")
        assert outcome["issue"][0]["code"] == "not-supported"
    assert Alert.objects.get(id=alert.id).status == alert.status


def test_capability_statement_tells_which_types_keep_history(anonymous_fhir) -> None:
    statement = anonymous_fhir.get("metadata").json()
    entries = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {t for t, r in entries.items() if r["readHistory"]} == {
        "Flag",
        "CarePlan",
        "RiskAssessment",
    }
    for entry in entries.values():
        codes = {i["code"] for i in entry["interaction"]}
        if entry["type"] in CONFORMANCE_TYPES:  # definitions: read and search only
            assert codes == {"read", "search-type"}
            continue
        assert {"read", "vread", "history-instance", "search-type"} <= codes
        assert not codes & {"patch", "delete"}
        assert ("update" in codes) == (entry["type"] == "Patient")


@pytest.mark.parametrize(
    "resource_type", ["CarePlan", "RiskAssessment", "Consent", "Communication", "AuditEvent"]
)
def test_no_compartment_leak_through_unsupported_search_tricks(
    fhir, dana, ada_patient, alert, resource_type
) -> None:
    """A2: _revinclude, _has and chained parameters are not supported; they are ignored (with a
    warning in the Bundle) and never widen what the reader may see or count."""
    client = fhir(dana)
    for query in (
        {"_revinclude": "Provenance:target"},
        {"_has:Observation:patient:code": "44261-6"},
        {"subject:Patient.name": "Ada"},
        {"patient.name": "Ada", "_count": "10000"},
    ):
        bundle = client.get(resource_type, {"patient": str(ada_patient.id), **query}).json()
        assert bundle["total"] == 0, (resource_type, query)
        assert all(e["search"]["mode"] == "outcome" for e in bundle.get("entry", []))
