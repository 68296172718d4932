"""schemathesis against the FHIR OpenAPI document: generated requests never cause a 5xx.

Runs in-process through the WSGI application (no network), signed in as clinician Ben, with a
patient, a PHQ-9 and its safety alert (Flag, RiskAssessment), a measurement plan and a safety
plan (CarePlan), a consent decision (Consent), messages (Communication) and their audit trail
(AuditEvent) in the database, so reads, searches and histories find real data.
"""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from careloop.messaging.services import send_message
from careloop.monitoring.services import ensure_default_plan
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.services import decide, publish_default_documents
from careloop.privacy.types import Choice
from careloop.safety.planning.services import save_safety_plan
from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/fhir/r4/openapi.json", application)
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("wsgi_keeps_test_connection")]


@pytest.fixture
def every_type(ada, ben, ada_patient, ada_phq9) -> None:
    """One or more resources of every served type about Ada."""
    ensure_default_plan(ada_patient, actor=ben)
    save_safety_plan(
        ada_patient, actor=ada, base_version=0, sections={"warning_signs": [{"text": "a sign"}]}
    )
    publish_default_documents(ada_patient.service_id)
    decide(
        actor=ada,
        patient=ada_patient,
        purpose=PurposeOfUse.HRESCH,
        stream=DataStream.QUESTIONNAIRES,
        choice=Choice.GIVEN,
    )
    send_message(ada, ada_patient, body="hello", client_id=uuid.uuid4())


@pytest.fixture
def ben_headers(as_user, ben, every_type) -> dict[str, str]:
    client = as_user(ben)
    secret = "s" * 32  # a well-formed CSRF secret, sent as cookie and header
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={secret}", "X-CSRFToken": secret}


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_generated_request_causes_a_server_error(case, ben_headers) -> None:
    response = case.call(headers=ben_headers)
    case.validate_response(response, checks=(not_a_server_error,))
