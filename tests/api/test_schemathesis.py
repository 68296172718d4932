"""schemathesis over the JSON API (/api/openapi.json) with every check it has, in CI.

In-process through the WSGI application (no network), once signed in as clinician Ben and once
as patient Ada, so real handlers run (not only the 401s an anonymous run reaches), over a world
with data in every domain: Ada's PHQ-9 with its safety alert, a check-in, a measurement plan, a
safety plan, a shared journal entry and messages both ways, a consent decision.

Every check schemathesis has runs on every response (`case.validate_response()` with no list
means all of them): no server error, the status code is documented, the body matches the
documented schema for that status, content type and headers conform, schema-invalid requests
are rejected and schema-valid ones accepted. The three phases run: explicit examples, coverage
(boundary values and malformed requests, e.g. multipart without a boundary) and fuzzing.

Bounded for CI: a fixed seed (derandomized) and a few fuzzing examples per operation; the whole
file takes about a minute on two cores. For a deeper run, the CLI (docs/api.md) uses the same
schema against a live server.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from careloop.accounts.models import User
from careloop.care.models import Patient
from config.wsgi import application
from conftest import fill_patient_record

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("wsgi_keeps_test_connection")]
CSRF_SECRET = "s" * 32  # a well-formed CSRF secret, sent as cookie and header


def _fill_record(patient: Patient, user: User, clinician: User) -> None:
    from careloop.privacy.policy import DataStream, PurposeOfUse
    from careloop.privacy.services import decide, publish_default_documents
    from careloop.privacy.types import Choice

    fill_patient_record(patient, user, clinician)
    publish_default_documents(patient.service_id)
    decide(
        actor=user, patient=patient, purpose=PurposeOfUse.HRESCH,
        stream=DataStream.QUESTIONNAIRES, choice=Choice.GIVEN,
    )  # fmt: skip


@pytest.fixture(params=["clinician", "patient"])
def signed_in_headers(request, as_user, ada, ada_patient, ben) -> dict[str, str]:
    """Headers of a signed-in session (clinician Ben past MFA, or patient Ada) with CSRF."""
    _fill_record(ada_patient, ada, ben)
    client = as_user(ben if request.param == "clinician" else ada)
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={CSRF_SECRET}", "X-CSRFToken": CSRF_SECRET}


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_response_conforms_to_the_published_schema(case, signed_in_headers) -> None:
    response = case.call(headers=signed_in_headers)
    case.validate_response(response)
