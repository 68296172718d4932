"""The JSON API's one error shape, and every status its edge can answer documented (#18 item 12)."""

from __future__ import annotations

import uuid

from django.test import Client

from config.api import api

ERROR_REF = "#/components/schemas/ApiError"
CSRF_SECRET = "s" * 32  # a well-formed CSRF secret, sent as cookie and header


def test_a_validation_error_has_a_string_detail_and_a_structured_errors_list(
    as_user, ada, ada_patient
) -> None:
    response = as_user(ada).post(
        "/api/assessments",
        {"instrument": "phq9", "answers": "zero", "client_id": "not-a-uuid"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"].startswith("Invalid request: ")
    assert "client_id" in body["detail"]
    fields = {tuple(error["loc"]): error for error in body["errors"]}
    assert fields[("body", "body", "client_id")]["type"] == "uuid_parsing"
    assert all(set(error) == {"loc", "msg", "type"} for error in body["errors"])
    assert "not-a-uuid" not in response.content.decode()  # the input is never echoed


def test_a_domain_error_has_the_same_shape(as_user, ben) -> None:
    response = as_user(ben).get(f"/api/patients/{uuid.uuid4()}/assessments")
    assert response.status_code == 404
    assert response.json() == {"detail": "patient not found", "errors": []}


def _csrf_checked(client: Client) -> Client:
    """The signed-in session in a client that runs the CSRF check, as a browser meets it (the
    check reads the form body of a POST, which is where a missing boundary is found)."""
    checked = Client(enforce_csrf_checks=True, headers={"X-CSRFToken": CSRF_SECRET})
    checked.cookies = client.cookies
    checked.cookies["csrftoken"] = CSRF_SECRET
    return checked


def test_multipart_without_a_boundary_is_a_400_in_the_api_error_shape(as_user, ada) -> None:
    client = _csrf_checked(as_user(ada))
    for path in ("/api/messages/read", "/api/me/data/erasure", "/api/messages"):
        response = client.post(path, b"x", content_type="multipart/form-data")
        assert response.status_code == 400, (path, response.status_code)
        assert response["Content-Type"].startswith("application/json")
        assert "boundary" in response.json()["detail"]


def test_multipart_without_a_boundary_is_a_400_operation_outcome_on_fhir(as_user, ben) -> None:
    response = _csrf_checked(as_user(ben)).post(
        "/fhir/r4/QuestionnaireResponse", b"x", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_every_operation_documents_the_edge_statuses_with_the_one_error_schema(db) -> None:
    document = api.get_openapi_schema()
    schemas = document["components"]["schemas"]
    assert "ApiError" in schemas and "ErrorOut" not in schemas
    assert schemas["ApiError"]["properties"]["detail"]["type"] == "string"
    assert schemas["ApiError"]["required"] == ["detail"]
    operations = [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 40
    for method, path, operation in operations:
        responses = operation["responses"]
        expected = {"400", "413"}
        if operation.get("security"):
            expected |= {"401", "403"}
        if operation.get("parameters") or operation.get("requestBody"):
            expected.add("422")
        assert expected <= set(map(str, responses)), (method, path, sorted(responses))
        for status, response in responses.items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, (method, path, status, schema)


def test_an_anonymous_request_gets_a_documented_401(db) -> None:
    response = Client().get("/api/caseload")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_date_time_is_iso_text_never_a_number(as_user, ada, ada_patient) -> None:
    """pydantic's lax mode read 0 (or "0.5") as seconds since 1970: a check-in sent with
    `completed_at: 0` was stored as 1 January 1970, and `before=0.5` was taken as a cursor."""
    client = as_user(ada)
    for path in ("/api/messages", "/api/journal/entries"):
        assert client.get(path, {"before": "0.5"}).status_code == 422
        assert client.get(path, {"before": "2026-03-01T10:00:00Z"}).status_code == 200
    response = client.post(
        "/api/checkins",
        {"mood": 5, "client_id": str(uuid.uuid4()), "completed_at": 0},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == "completed_at"


def test_a_boolean_is_not_a_number_and_a_number_is_not_a_boolean(as_user, ada, ada_patient) -> None:
    client = as_user(ada)
    checkin = {"mood": False, "client_id": str(uuid.uuid4())}
    assert client.post("/api/checkins", checkin, content_type="application/json").status_code == 422
    entry = {"body": "a note", "mood": True, "client_id": str(uuid.uuid4())}
    assert (
        client.post("/api/journal/entries", entry, content_type="application/json").status_code
        == 422
    )
    entry = {"body": "a note", "shared_with_team": 1, "client_id": str(uuid.uuid4())}
    assert (
        client.post("/api/journal/entries", entry, content_type="application/json").status_code
        == 422
    )
