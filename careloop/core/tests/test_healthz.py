from __future__ import annotations

from unittest import mock

from django.db.utils import OperationalError


def test_healthz_answers_ok_when_the_database_answers(client, db) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, db) -> None:
    with mock.patch("careloop.core.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_openapi_document_is_served(client, db) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/assessments" in paths
    assert "/api/alerts/{alert_id}" in paths
