from __future__ import annotations

import uuid

import pytest

from careloop.assessments.models import Assessment


def _post(client, body, **extra):
    return client.post("/api/assessments", body, content_type="application/json", **extra)


@pytest.fixture
def ada_client(as_user, ada, ada_patient):
    return as_user(ada)


def test_patient_submits_and_gets_201_then_200_on_replay(ada_client) -> None:
    body = {"instrument": "gad7", "answers": [1, 1, 1, 1, 1, 1, 1], "client_id": str(uuid.uuid4())}
    first = _post(ada_client, body)
    assert first.status_code == 201, first.content
    assert first.json()["total"] == 7
    assert first.json()["meaning"]
    assert _post(ada_client, body).status_code == 200
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"instrument": "phq9", "answers": [9] * 9, "client_id": str(uuid.uuid4())}, ""),
        ({"instrument": "phq9", "answers": [0] * 3, "client_id": str(uuid.uuid4())}, ""),
        ({"instrument": "phq9", "answers": "zero", "client_id": str(uuid.uuid4())}, ""),
        ({"instrument": "phq9", "answers": [0] * 9, "client_id": "not-a-uuid"}, ""),
        ({"instrument": "phq9", "answers": [0] * 9}, ""),
        ({"instrument": "nope", "answers": [0] * 9, "client_id": str(uuid.uuid4())}, "unknown"),
    ],
)
def test_bad_submissions_get_a_clear_4xx_and_store_nothing(ada_client, body, fragment) -> None:
    response = _post(ada_client, body)
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]
    assert fragment in str(response.json()["detail"])
    assert Assessment.objects.count() == 0


def test_malformed_json_gets_a_4xx(ada_client) -> None:
    response = ada_client.post("/api/assessments", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert Assessment.objects.count() == 0


def test_submission_needs_csrf_token(ada, ada_patient) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    body = {"instrument": "phq9", "answers": [0] * 9, "client_id": str(uuid.uuid4())}
    assert _post(client, body).status_code == 403
    assert Assessment.objects.count() == 0


def test_anonymous_cannot_submit(client, db) -> None:
    body = {"instrument": "phq9", "answers": [0] * 9, "client_id": str(uuid.uuid4())}
    assert _post(client, body).status_code == 401


def test_clinician_reads_history_of_own_team_patient_but_outsider_gets_404(
    as_user, ada_client, ada_patient, ben, dana
) -> None:
    body = {"instrument": "phq9", "answers": [1] * 9, "client_id": str(uuid.uuid4())}
    assert _post(ada_client, body).status_code == 201
    url = f"/api/patients/{ada_patient.id}/assessments"
    rows = as_user(ben).get(url).json()
    assert [(r["instrument"], r["total"]) for r in rows] == [("phq9", 9)]
    assert as_user(dana).get(url).status_code == 404
    assert as_user(ben).get(f"/api/patients/{uuid.uuid4()}/assessments").status_code == 404


def test_patient_cannot_read_another_patients_history(
    as_user, ada, ada_patient, service, north
) -> None:
    from careloop.accounts.types import Role
    from careloop.care.models import Patient
    from conftest import make_user

    other = make_user(service, "olu", Role.PATIENT)
    Patient.objects.create(service=service, user=other, care_team=north, display_name="Olu")
    assert as_user(other).get(f"/api/patients/{ada_patient.id}/assessments").status_code == 404


@pytest.mark.parametrize(
    ("completed_at", "fragment"),
    [("2026-03-01T09:30:00", "time zone"), ("2999-01-01T00:00:00Z", "future")],
)
def test_completed_at_must_be_aware_and_not_in_the_future(
    ada_client, completed_at, fragment
) -> None:
    body = {
        "instrument": "phq9",
        "answers": [0] * 9,
        "client_id": str(uuid.uuid4()),
        "completed_at": completed_at,
    }
    response = _post(ada_client, body)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    assert Assessment.objects.count() == 0
