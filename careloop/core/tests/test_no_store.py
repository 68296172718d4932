"""`Cache-Control: no-store` on every response that may carry patient data (#18 item 10);
static files stay cacheable."""

from __future__ import annotations

from django.test import Client


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_signed_in_pages_are_not_stored(as_user, ada, ada_patient, ben) -> None:
    patient = as_user(ada)
    for url in ("/", "/questionnaires/history/", "/safety/crisis/"):
        response = patient.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", (url, response.get("Cache-Control"))
    clinician = as_user(ben)
    for url in ("/caseload/", f"/patients/{ada_patient.id}/", "/alerts/"):
        response = clinician.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), (url, response.get("Cache-Control"))


def test_json_and_fhir_api_replies_are_not_stored(as_user, ada, ada_patient, ben) -> None:
    assert _no_store(as_user(ada).get("/api/me/schedule"))
    assert _no_store(as_user(ada).get("/api/safety/offline-snapshot"))
    assert _no_store(as_user(ben).get(f"/api/patients/{ada_patient.id}/assessments"))
    assert _no_store(as_user(ben).get("/fhir/r4/Patient"))
    assert _no_store(as_user(ben).get(f"/fhir/r4/Patient/{ada_patient.id}"))


def test_replies_without_a_session_under_the_apis_are_not_stored_either(db) -> None:
    anonymous = Client()
    assert anonymous.get("/api/caseload").status_code == 401
    assert _no_store(anonymous.get("/api/caseload"))
    assert _no_store(anonymous.get("/fhir/r4/Patient"))
    assert _no_store(anonymous.get("/fhir/r4/metadata"))
    assert _no_store(anonymous.post("/o/token/", {"grant_type": "client_credentials"}))


def test_static_files_stay_cacheable(as_user, ada) -> None:
    for client in (Client(), as_user(ada)):
        response = client.get("/static/careloop/careloop.css")
        response.close()  # a streamed file: close it, or its handle leaks (ResourceWarning)
        assert response.status_code == 200
        assert not _no_store(response), response.get("Cache-Control")
