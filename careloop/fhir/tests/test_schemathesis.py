"""schemathesis against the FHIR OpenAPI document: generated requests never cause a 5xx.

Runs in-process through the WSGI application (no network), signed in as clinician Ben, with a
patient, a PHQ-9 and a safety alert in the database so reads and searches find real data.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/fhir/r4/openapi.json", application)
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Calling the WSGI app directly fires request_finished, which would close the test's
    database connection (on PostgreSQL mid-transaction); Django's own test Client does this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def ben_headers(as_user, ben, ada_phq9) -> dict[str, str]:
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
