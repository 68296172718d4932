"""The safety plan JSON API: GET/PUT with optimistic concurrency, history, and outsiders' 404."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.safety.planning.models import SafetyPlanVersion


def _url(patient_id, suffix: str = "") -> str:
    return f"/api/patients/{patient_id}/safety-plan{suffix}"


def _put(client, patient_id, body):
    return client.put(_url(patient_id), body, content_type="application/json")


def _plan(base_version: int, text: str = "I stop eating") -> dict[str, Any]:
    return {
        "base_version": base_version,
        "sections": {
            "warning_signs": [{"text": text}],
            "people_to_ask_for_help": [{"text": "My sister", "phone": "07700 900123"}],
        },
    }


def _items(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return next(s for s in body["sections"] if s["key"] == key)["items"]


def test_patient_reads_empty_plan_then_saves_version_1(as_user, ada, ada_patient) -> None:
    client = as_user(ada)
    empty = client.get(_url(ada_patient.id))
    assert empty.status_code == 200
    assert empty.json()["version"] == 0
    assert [s["key"] for s in empty.json()["sections"]][:6] == [
        "warning_signs",
        "internal_coping",
        "social_distraction",
        "people_to_ask_for_help",
        "professionals_and_agencies",
        "making_environment_safe",
    ]
    saved = _put(client, ada_patient.id, _plan(0))
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 1 and saved.json()["saved_by_role"] == "patient"
    assert _items(saved.json(), "people_to_ask_for_help") == [
        {"text": "My sister", "phone": "07700 900123"}
    ]
    assert client.get(_url(ada_patient.id)).json()["version"] == 1


def test_clinician_edits_the_plan_and_a_stale_patient_save_gets_409(
    as_user, ada, ada_patient, ben
) -> None:
    patient_client, clinician_client = as_user(ada), as_user(ben)
    assert _put(patient_client, ada_patient.id, _plan(0)).status_code == 200
    assert _put(clinician_client, ada_patient.id, _plan(1, "Pacing at night")).status_code == 200
    stale = _put(patient_client, ada_patient.id, _plan(1, "Something else"))
    assert stale.status_code == 409
    assert "changed while you were editing" in stale.json()["detail"]
    assert "version 2" in stale.json()["detail"]
    current = patient_client.get(_url(ada_patient.id)).json()
    assert current["version"] == 2
    assert _items(current, "warning_signs") == [{"text": "Pacing at night", "phone": ""}]


def test_history_lists_every_version_and_each_can_be_read_as_saved(
    as_user, ada, ada_patient, ben
) -> None:
    _put(as_user(ada), ada_patient.id, _plan(0, "first"))
    _put(as_user(ben), ada_patient.id, _plan(1, "second"))
    history = as_user(ada).get(_url(ada_patient.id, "/versions"))
    assert history.status_code == 200
    assert [(v["version"], v["saved_by_role"]) for v in history.json()] == [
        (2, "clinician"),
        (1, "patient"),
    ]
    first = as_user(ben).get(_url(ada_patient.id, "/versions/1")).json()
    assert _items(first, "warning_signs")[0]["text"] == "first"
    assert as_user(ben).get(_url(ada_patient.id, "/versions/3")).status_code == 404


def test_reads_are_audited_with_purpose(as_user, ada, ada_patient, ben) -> None:
    as_user(ada).get(_url(ada_patient.id))
    as_user(ben).get(_url(ada_patient.id, "/versions"))
    events = AuditEvent.objects.filter(action=AuditAction.SAFETY_PLAN_VIEWED)
    assert sorted((e.actor_id, e.purpose) for e in events) == sorted(
        [(ada.id, "PATRQT"), (ben.id, "TREAT")]
    )


ENDPOINTS = [
    ("get", ""),
    ("put", ""),
    ("get", "/versions"),
    ("get", "/versions/1"),
]


@pytest.mark.parametrize(("method", "suffix"), ENDPOINTS)
@pytest.mark.parametrize("outsider_name", ["dana", "cleo", "bob"])
def test_outsiders_get_404_on_every_plan_endpoint(
    request, as_user, ada, ada_patient, method, suffix, outsider_name
) -> None:
    _put(as_user(ada), ada_patient.id, _plan(0))
    outsider = request.getfixturevalue(outsider_name)
    client = as_user(outsider)
    if method == "put":
        response = _put(client, ada_patient.id, _plan(1, "overwritten"))
    else:
        response = client.get(_url(ada_patient.id, suffix))
    assert response.status_code == 404
    assert "I stop eating" not in response.content.decode()
    assert SafetyPlanVersion.objects.count() == 1


def test_unknown_patient_is_404_like_a_forbidden_one(as_user, ben) -> None:
    assert as_user(ben).get(_url(uuid.uuid4())).status_code == 404


def test_anonymous_gets_401(client, ada_patient) -> None:
    assert client.get(_url(ada_patient.id)).status_code == 401
    assert _put(client, ada_patient.id, _plan(0)).status_code == 401


def test_put_needs_a_csrf_token(ada, ada_patient) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    assert _put(client, ada_patient.id, _plan(0)).status_code == 403
    assert SafetyPlanVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"base_version": 0, "sections": {"favourite_food": []}}, "unknown section"),
        ({"base_version": 0, "sections": {"warning_signs": [{"text": "x", "phone": "1"}]}}, ""),
        ({"base_version": -1, "sections": {}}, ""),
        ({"base_version": "latest", "sections": {}}, ""),
        ({"sections": {}}, ""),
        ({"base_version": 0}, ""),
        ({"base_version": 0, "sections": {"warning_signs": "sad"}}, ""),
        (
            {
                "base_version": 0,
                "sections": {"people_to_ask_for_help": [{"text": "Mum", "phone": "ring me"}]},
            },
            "phone number",
        ),
    ],
)
def test_bad_input_gets_a_clear_4xx_and_saves_nothing(
    as_user, ada, ada_patient, body, fragment
) -> None:
    response = _put(as_user(ada), ada_patient.id, body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert fragment in str(response.json()["detail"])
    assert SafetyPlanVersion.objects.count() == 0


def test_malformed_json_gets_a_4xx(as_user, ada, ada_patient) -> None:
    response = as_user(ada).put(_url(ada_patient.id), "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert SafetyPlanVersion.objects.count() == 0
