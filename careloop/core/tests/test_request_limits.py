"""Hostile JSON (HZ-025): deep or huge bodies get a clear 4xx on every JSON endpoint, never a 500,
and an alert raised afterwards is still stored and delivered.

The routes are enumerated from the NinjaAPIs' OpenAPI documents, so a new POST/PUT/PATCH endpoint
is covered without editing this file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.test import Client

from careloop.core import worker
from careloop.core.limits import json_depth
from careloop.safety.models import Alert, AlertDelivery
from careloop.safety.types import DeliveryState
from config.api import api

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

DEPTHS = (50, 300, 10_000)
WRITE_METHODS = ("post", "put", "patch")
FHIR = "application/fhir+json"
# The OAuth endpoints (/o/) are plain Django views, not in an OpenAPI document.
OAUTH_PATHS = ("/o/token/", "/o/introspect/", "/o/revoke_token/")
OAUTH_ROUTES = [("post", path) for path in OAUTH_PATHS]


def _nested_lists(depth: int) -> str:
    """A JSON text `depth` levels deep, built as text (json.dumps itself would recurse)."""
    return "[" * depth + "]" * depth


def _generic_body(depth: int) -> str:
    return '{"instrument": "phq9", "answers": ' + _nested_lists(depth - 1) + "}"


def _questionnaire_response(depth: int, patient_id: str) -> str:
    """QuestionnaireResponse whose `item` nests: each level is one list and one object."""
    levels = max((depth - 2) // 2, 1)
    head = (
        '{"resourceType": "QuestionnaireResponse", "status": "completed", '
        f'"questionnaire": "Questionnaire/phq9", "subject": {{"reference": "Patient/{patient_id}"}}'
        ', "item": '
    )
    return head + '[{"linkId": "1", "item": ' * levels + "[]" + "}]" * levels + "}"


def _patient_with_extensions(depth: int, patient_id: str) -> str:
    levels = max((depth - 2) // 2, 1)
    head = f'{{"resourceType": "Patient", "id": "{patient_id}", "extension": '
    link = '[{"url": "http://example.org/x", "extension": '
    return head + link * levels + "[]" + "}]" * levels + "}"


def _bundle(depth: int) -> str:
    return '{"resourceType": "Bundle", "type": "transaction", "entry": ' + _nested_lists(depth - 1)


def _concrete(path: str, patient_id: str) -> str:
    # Path parameters: the patient's own id where one is named, else a fresh uuid (the body is
    # what is under test; an unknown id must still never turn a deep body into a 500).
    def value(match: re.Match[str]) -> str:
        return patient_id if "patient" in match.group(0) else str(uuid.uuid4())

    return re.sub(r"\{[^}]+\}", value, path)


def api_routes() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in WRITE_METHODS
    ]


def fhir_routes() -> list[tuple[str, str]]:
    from careloop.fhir.rest.api import fhir_api

    schema = fhir_api.get_openapi_schema(path_prefix="/fhir/r4/")
    routes = [
        (method, path.replace("//", "/"))
        for path, operations in schema["paths"].items()
        for method in operations
        if method in WRITE_METHODS
    ]
    # A transaction Bundle posted to the base (not an endpoint today: it must still be a 4xx).
    return [*routes, ("post", "/fhir/r4/")]


def _bodies(path: str, depth: int, patient_fhir_id: str) -> Iterator[tuple[str, str]]:
    """(content type, body) pairs for one route: the shapes an attacker would choose."""
    if path.startswith("/fhir/r4/"):
        if "QuestionnaireResponse" in path:
            yield FHIR, _questionnaire_response(depth, patient_fhir_id)
        elif "Patient" in path:
            yield FHIR, _patient_with_extensions(depth, patient_fhir_id)
        else:
            yield FHIR, _bundle(depth)
        yield "application/json", _bundle(depth)
    else:
        yield "application/json", _generic_body(depth)
    # ninja parses the body as JSON whatever the content type says.
    yield "text/plain", _generic_body(depth)
    yield "", _generic_body(depth)


def _assert_error_shape(path: str, response: _MonkeyPatchedWSGIResponse) -> None:
    media = response["Content-Type"].split(";")[0]
    assert media.endswith("json"), (path, response.status_code, response.content[:200])
    data = response.json()
    if path.startswith(("/fhir/r4/", "/o/")) and response.status_code in (400, 413):
        assert data["resourceType"] == "OperationOutcome", data
        assert data["issue"][0]["diagnostics"]
    elif path.startswith("/fhir/r4/"):
        assert data["resourceType"] == "OperationOutcome", data
    elif path.startswith("/api/"):
        assert "detail" in data, data


def test_the_routes_are_enumerated() -> None:
    routes = api_routes()
    assert ("post", "/api/assessments") in routes
    assert len(routes) >= 15
    assert ("put", "/fhir/r4/Patient/{resource_id}") in fhir_routes()
    assert ("post", "/fhir/r4/QuestionnaireResponse") in fhir_routes()


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ("1", 0),
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('{"a": "[[[[[[[[["}', 1),  # brackets inside strings do not count
        ('{"a": "\\"[[[[", "b": [[]]}', 3),  # nor after an escaped quote
        ('["\\\\", [[]]]', 3),  # an escaped backslash ends before the closing quote
        ("[" * 10_000, 10_000),  # unterminated: still measured, without recursion
    ],
)
def test_json_depth_is_measured_without_parsing(text: str, depth: int) -> None:
    assert json_depth(text.encode()) == depth


# Transactional: the worker loop closes stale connections between jobs, as in production, which
# a test wrapped in one transaction would not survive on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_deep_json_is_a_clear_4xx_everywhere_and_alerts_still_flow(
    ada, ada_patient, ben, settings
) -> None:
    ben.email = "ben@example.org"
    ben.save(update_fields=["email"])
    client: Client = Client()
    client.force_login(ada)
    patient_fhir_id = str(ada_patient.id)
    routes = api_routes() + fhir_routes() + OAUTH_ROUTES
    seen: list[tuple[str, str, int, int]] = []
    for method, route in routes:
        path = _concrete(route, str(ada_patient.id))
        for depth in DEPTHS:
            for content_type, body in _bodies(route, depth, patient_fhir_id):
                response = client.generic(
                    method.upper(), path, body.encode(), content_type=content_type
                )
                seen.append((method, path, depth, response.status_code))
                where = (method, path, depth, content_type, response.status_code)
                if depth > settings.JSON_MAX_DEPTH:
                    assert response.status_code == 400, where
                    assert "deep" in json.dumps(response.json())
                    _assert_error_shape(route, response)
                else:  # within the limit: the endpoint's own answer (some ignore the body)
                    assert response.status_code < 500, where
                    # Only "not a 5xx" where the shape is not ours: /o/ answers in OAuth's own
                    # (RFC 6749) shape, and a POST to the FHIR base is ninja's api-root 404 page
                    # (no transaction endpoint exists).
                    if response.status_code >= 400 and route not in ("/fhir/r4/", *OAUTH_PATHS):
                        _assert_error_shape(route, response)
    assert len(seen) >= 3 * len(routes)

    # Afterwards the service still stores a risk answer and the worker still delivers its alert.
    answers = [1, 1, 1, 1, 0, 1, 1, 0, 2]
    response = client.post(
        "/api/assessments",
        {"instrument": "phq9", "answers": answers, "client_id": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    alert = Alert.objects.get(patient=ada_patient, rule_id="instrument_risk_item")
    worker.run_once()
    worker.run_once()
    delivery = AlertDelivery.objects.get(alert=alert)
    assert delivery.state == DeliveryState.DELIVERED


@pytest.mark.django_db
def test_a_body_over_the_size_limit_is_413_before_it_is_read(ada, settings) -> None:
    settings.JSON_MAX_BODY_BYTES = 1000
    client = Client()
    client.force_login(ada)
    body = json.dumps({"instrument": "phq9", "answers": [0] * 9, "padding": "x" * 2000})
    response = client.post("/api/assessments", body, content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    response = client.post("/fhir/r4/QuestionnaireResponse", body, content_type=FHIR)
    assert response.status_code == 413
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.json()["issue"][0]["code"] == "too-long"
    # A form post is Django's to bound (DATA_UPLOAD_MAX_MEMORY_SIZE), not this limit's.
    response = client.post("/api/assessments", {"padding": "x" * 2000})
    assert response.status_code != 413


@pytest.mark.slow  # four fresh interpreters, each importing the settings
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JSON_MAX_DEPTH", "500"),
        ("JSON_MAX_DEPTH", "deep"),
        ("JSON_MAX_BODY_BYTES", "10"),
        ("HEALTH_WORKER_STALE_SECONDS", "1"),
    ],
)
def test_bad_limits_refuse_to_start(name: str, value: str, tmp_path: Path) -> None:
    env = {**os.environ, name: value, "CARELOOP_VAR_DIR": str(tmp_path)}
    result = subprocess.run(  # our own interpreter, fixed arguments
        [sys.executable, "-c", "import config.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name}" in result.stderr
