"""Creating a QuestionnaireResponse: scored and stored exactly like an app submission."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from careloop.assessments.models import Assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.models import Patient
from careloop.fhir.tests.conftest import FhirTestClient, phq9_response, submit
from careloop.safety.models import Alert


def identifier(client_id: uuid.UUID) -> dict[str, str]:
    return {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{client_id}"}


def test_created_response_is_scored_stored_and_yields_observations(fhir, ben, ada_patient):
    ben_fhir = fhir(ben)
    client_id = uuid.uuid4()
    body = phq9_response(ada_patient.id, [1, 1, 1, 1, 1, 1, 1, 2, 1],
                         identifier=identifier(client_id))  # fmt: skip
    response = ben_fhir.post("QuestionnaireResponse", body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert response["Location"].endswith(
        f"/QuestionnaireResponse/{created['id']}/_history/{created['meta']['versionId']}"
    )
    stored = Assessment.objects.get(id=created["id"])
    assert (stored.answers, stored.score_total, stored.band) == (
        [1, 1, 1, 1, 1, 1, 1, 2, 1, None],
        10,
        "moderate",
    )  # fmt: skip  (item 10, the unscored difficulty item, was not answered)
    assert (stored.client_id, stored.source, stored.submitted_by) == (
        client_id, SubmissionSource.API, ben
    )  # fmt: skip
    assert Alert.objects.filter(assessment=stored).count() == 1  # item 9 = 1: same safety hook
    observations = ben_fhir.get("Observation", {"patient": str(ada_patient.id)}).json()
    assert observations["total"] == 10
    total = ben_fhir.get(f"Observation/{stored.id}-total").json()
    assert total["valueQuantity"]["value"] == 10
    assert total["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{stored.id}"}]


def test_resending_is_idempotent_and_a_changed_payload_conflicts(fhir, ada, ada_patient) -> None:
    ada_fhir = fhir(ada)
    body = phq9_response(ada_patient.id, [0] * 9, identifier=identifier(uuid.uuid4()))
    first = ada_fhir.post("QuestionnaireResponse", body)
    again = ada_fhir.post("QuestionnaireResponse", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    changed = body | {"item": phq9_response(ada_patient.id, [3] * 9)["item"]}
    clash = ada_fhir.post("QuestionnaireResponse", changed)
    assert clash.status_code == 409
    assert clash.json()["issue"][0]["code"] == "conflict"
    assert Assessment.objects.count() == 1


def test_if_none_exist_returns_the_match_without_storing(fhir, ada, ada_patient) -> None:
    ada_fhir = fhir(ada)
    stored = submit(ada_patient, ada, "phq9", [0] * 9)
    condition = f"identifier=urn:ietf:rfc:3986|urn:uuid:{stored.client_id}"
    body = phq9_response(ada_patient.id, [2] * 9)
    response = ada_fhir.post("QuestionnaireResponse", body, **{"If-None-Exist": condition})
    assert response.status_code == 200
    assert response.json()["id"] == str(stored.id)
    assert Assessment.objects.count() == 1
    bad = ada_fhir.post("QuestionnaireResponse", body, **{"If-None-Exist": "patient=x"})
    assert bad.status_code == 400


def test_if_none_exist_matching_several_is_412(fhir, ben, ada_patient, north) -> None:
    other = Patient.objects.create(service=north.service, care_team=north, display_name="Other")
    shared = uuid.uuid4()
    for patient in (ada_patient, other):
        Assessment.objects.create(
            service=north.service, patient=patient, instrument_id="gad7",
            instrument_version="gad7@1.0.0", answers=[0] * 7, score_total=0,
            completed_at=ada_patient.created_at, recorded_at=ada_patient.created_at,
            source=SubmissionSource.API, client_id=shared,
        )  # fmt: skip
    response = fhir(ben).post(
        "QuestionnaireResponse",
        phq9_response(ada_patient.id, [0] * 9),
        **{"If-None-Exist": f"identifier=urn:uuid:{shared}"},
    )
    assert response.status_code == 412
    assert Assessment.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"resourceType": "Patient"}, 400),
        ({"resourceType": "QuestionnaireResponse", "status": "bogus"}, 400),
        ({"resourceType": "QuestionnaireResponse", "status": "completed", "colour": "red"}, 400),
        ({"resourceType": "QuestionnaireResponse", "status": "completed"}, 400),  # no subject
        (
            {
                "resourceType": "QuestionnaireResponse",
                "status": "in-progress",
                "questionnaire": "Questionnaire/phq9",
                "subject": {"reference": "Patient/x"},
            },
            422,
        ),
    ],
)
def test_malformed_or_unscorable_bodies_are_refused(fhir, ada, ada_patient, body, status) -> None:
    response = fhir(ada).post("QuestionnaireResponse", body)
    assert response.status_code == status
    assert Assessment.objects.count() == 0


def test_unknown_answer_code_is_422(fhir, ada, ada_patient) -> None:
    body = phq9_response(ada_patient.id, [0] * 9)
    body["item"][0]["answer"][0]["valueCoding"]["code"] = "LA0000-0"
    response = fhir(ada).post("QuestionnaireResponse", body)
    assert response.status_code == 422
    assert "unknown answer" in response.json()["issue"][0]["diagnostics"]


def test_outsider_cannot_create_for_someone_elses_patient(fhir, dana, ada_patient) -> None:
    response = fhir(dana).post("QuestionnaireResponse", phq9_response(ada_patient.id, [0] * 9))
    assert response.status_code == 422
    assert "not found" in response.json()["issue"][0]["diagnostics"]
    assert Assessment.objects.count() == 0


def test_session_writes_need_the_csrf_token(ada, ada_patient) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    response = FhirTestClient(client).post(
        "QuestionnaireResponse", phq9_response(ada_patient.id, [0] * 9)
    )
    assert response.status_code == 403
    assert Assessment.objects.count() == 0
    secret = "c" * 32  # a well-formed CSRF secret: cookie and header must agree
    client.cookies["csrftoken"] = secret
    accepted = FhirTestClient(client).post(
        "QuestionnaireResponse", phq9_response(ada_patient.id, [0] * 9), **{"X-CSRFToken": secret}
    )
    assert accepted.status_code == 201
