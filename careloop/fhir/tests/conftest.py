"""FHIR test fixtures: a client whose every FHIR reply is schema-validated on the way in."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from careloop.assessments.models import Assessment
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.core import clock
from careloop.fhir.models import ImportedResource
from careloop.fhir.tests.fhir_assert import assert_valid_fhir
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.services import decide, publish_default_documents
from careloop.privacy.types import Choice
from conftest import fill_patient_record

FHIR_JSON = "application/fhir+json"


class FhirTestClient:
    """Wraps a signed-in Django test client: JSON bodies out, every FHIR reply validated."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def _checked(self, response: Any) -> Any:
        if response.status_code != 304:
            assert response["Content-Type"].startswith(FHIR_JSON), response["Content-Type"]
            assert_valid_fhir(response.json())
        return response

    def get(self, path: str, data: dict[str, Any] | None = None, **headers: str) -> Any:
        return self._checked(self.client.get(f"/fhir/r4/{path}", data or {}, headers=headers))

    def post(self, path: str, resource: dict[str, Any], **headers: str) -> Any:
        body = json.dumps(resource)
        response = self.client.post(
            f"/fhir/r4/{path}", body, content_type=FHIR_JSON, headers=headers
        )
        return self._checked(response)


@pytest.fixture
def fhir(as_user):
    """fhir(user) → a FhirTestClient signed in as `user` (past MFA for staff)."""
    return lambda user: FhirTestClient(as_user(user))


@pytest.fixture
def anonymous_fhir(db):
    return FhirTestClient(Client())


def submit(patient, actor, instrument_id: str, answers: list[int | None]) -> Assessment:
    assessment, _ = submit_assessment(
        patient,
        actor=actor,
        instrument_id=instrument_id,
        answers=answers,
        client_id=uuid.uuid4(),
        source=SubmissionSource.API,
    )
    return assessment


@pytest.fixture
def ada_phq9(ada, ada_patient) -> Assessment:
    """Ada's PHQ-9 with item 9 = 1 (raises a safety alert), total 10."""
    return submit(ada_patient, ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 2, 1])


def phq9_response(patient_id: object, answers: list[int], **extra: Any) -> dict[str, Any]:
    """A QuestionnaireResponse for PHQ-9 answered with LOINC answer codes."""
    codes = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "https://careloop.example/fhir/Questionnaire/phq9|1.0.0",
        "subject": {"reference": f"Patient/{patient_id}"},
        "item": [
            {
                "linkId": str(index),
                "answer": [{"valueCoding": {"system": "http://loinc.org", "code": codes[value]}}],
            }
            for index, value in enumerate(answers, start=1)
        ],
    } | extra


@pytest.fixture
def populated(ada, ben, ada_patient):
    """Ada's record with data behind every served FHIR type: answers, an alert, plans, messages,
    a consent decision and an imported assessment (Provenance)."""
    fill_patient_record(ada_patient, ada, ben)
    publish_default_documents(ada_patient.service_id)
    decide(
        actor=ada,
        patient=ada_patient,
        purpose=PurposeOfUse.HRESCH,
        stream=DataStream.QUESTIONNAIRES,
        choice=Choice.GIVEN,
    )
    assessment_id = ada_patient.assessments.values_list("id", flat=True).first()
    ImportedResource.objects.create(
        service_id=ada_patient.service_id, resource_type="QuestionnaireResponse",
        source_system="https://example.org/ids", source_value=str(uuid.uuid4()),
        local_type="Assessment", local_id=assessment_id, source_bundle="sha256:" + "0" * 64,
        imported_at=clock.now(),
    )  # fmt: skip
    return ada_patient
