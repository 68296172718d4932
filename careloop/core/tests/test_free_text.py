"""A character that cannot be stored never loses crisis text (issue #18 item 11, HZ-024).

A lone UTF-16 surrogate (U+D800) next to a crisis phrase, in a journal entry, a message or a
daily check-in note, through the JSON API and the HTML form: the text is stored with U+FFFD in
its place, screened, and the alert is raised. Text that is nothing but such characters is a clear
422, never a 500. Runs on SQLite and PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest

from careloop.core.text import (
    REPLACEMENT,
    strip_invisible,
    valid_json_text,
    valid_text,
    visible_length,
)
from careloop.journal.models import JournalEntry
from careloop.messaging.models import Message
from careloop.monitoring.models import CheckIn
from careloop.safety.models import Alert
from careloop.safety.types import AlertSource

LONE = "\ud800"
CRISIS = f"Long day.{LONE} I want to kill myself tonight."


def _api_body(**fields: object) -> str:
    # json.dumps escapes the surrogate as \ud800, exactly what a buggy client sends.
    return json.dumps({"client_id": str(uuid.uuid4()), **fields})


def _form_body(**fields: str) -> bytes:
    # A browser cannot send a lone surrogate; a script can, as its (invalid) UTF-8 bytes.
    return "&".join(
        f"{name}={quote(value.encode('utf-8', 'surrogatepass'))}" for name, value in fields.items()
    ).encode("ascii")


API: dict[str, tuple[str, str, dict[str, object]]] = {
    "journal": ("/api/journal/entries", "body", {"shared_with_team": False}),
    "message": ("/api/messages", "body", {}),
    "checkin": ("/api/checkins", "note", {"mood": 2}),
}
FORMS: dict[str, tuple[str, str, dict[str, str]]] = {
    "journal": ("/journal/entries/", "body", {}),
    "message": ("/messages/", "body", {}),
    "checkin": ("/checkin/", "note", {"mood": "2"}),
}


def _stored(kind: str, patient) -> str:
    if kind == "journal":
        return JournalEntry.objects.get(patient=patient).body
    if kind == "message":
        return Message.objects.get(patient=patient).body
    return CheckIn.objects.get(patient=patient).note


def _text_alerts(patient) -> int:
    return Alert.objects.filter(patient=patient, source=AlertSource.TEXT).count()


@pytest.mark.parametrize("kind", list(API))
def test_a_lone_surrogate_through_the_api_is_stored_screened_and_alerts(
    kind, as_user, ada, ada_patient
) -> None:
    path, field, extra = API[kind]
    response = as_user(ada).post(
        path, _api_body(**{field: CRISIS}, **extra), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    stored = _stored(kind, ada_patient)
    assert stored == CRISIS.replace(LONE, REPLACEMENT)
    assert "kill myself tonight" in stored
    assert _text_alerts(ada_patient) == 1


@pytest.mark.parametrize("kind", list(FORMS))
def test_a_lone_surrogate_through_the_html_form_is_stored_screened_and_alerts(
    kind, as_user, ada, ada_patient
) -> None:
    path, field, extra = FORMS[kind]
    body = _form_body(**{field: CRISIS, "client_id": str(uuid.uuid4())}, **extra)
    response = as_user(ada).post(path, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 302), response.status_code
    stored = _stored(kind, ada_patient)
    assert LONE not in stored
    assert REPLACEMENT in stored
    assert "kill myself tonight" in stored
    assert _text_alerts(ada_patient) == 1


@pytest.mark.parametrize("kind", list(API))
@pytest.mark.parametrize("text", [LONE, f" {LONE}\u200b{LONE} ", "\ufffd"])
def test_text_of_nothing_but_invalid_characters_is_a_clear_422(
    kind, text, as_user, ada, ada_patient
) -> None:
    path, field, extra = API[kind]
    response = as_user(ada).post(
        path, _api_body(**{field: text}, **extra), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert "readable" in response.json()["detail"]


def test_the_sanitiser_replaces_only_what_cannot_be_stored() -> None:
    assert valid_text("plain ascii") == "plain ascii"
    assert valid_text("café 😊 مرحبا") == "café 😊 مرحبا"
    assert valid_text(f"a{LONE}b\udfffc") == f"a{REPLACEMENT}b{REPLACEMENT}c"
    # A valid pair written as two JSON escapes is one character, kept.
    assert valid_text(json.loads('"\\ud83d\\ude0a"')) == "😊"
    assert valid_json_text({"a": [LONE, {"b": LONE}], LONE: 1}) == {
        "a": [REPLACEMENT, {"b": REPLACEMENT}],
        REPLACEMENT: 1,
    }


def test_invisible_characters_are_found_by_unicode_category() -> None:
    invisible = "\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000\u2028\u2029\u180e\u00ad \t\n"
    assert visible_length(invisible) == 0
    assert visible_length(f"{invisible}ab{invisible}") == 2
    assert strip_invisible(f"{invisible}a b{invisible}") == "a b"


def test_fhir_text_with_a_lone_surrogate_is_stored_and_the_risk_answer_alerts(
    as_user, ada, ada_patient
) -> None:
    """The R4B model refused the whole response (400) for one bad character in a display text,
    losing the item-9 answer next to it; now the text is repaired and the answer screened."""
    from careloop.assessments.models import Assessment
    from careloop.fhir.tests.conftest import phq9_response

    resource = phq9_response(ada_patient.id, [1, 1, 1, 1, 1, 1, 1, 1, 3])
    resource["item"][-1]["text"] = f"Thoughts that you would be better off dead{LONE}"
    response = as_user(ada).post(
        "/fhir/r4/QuestionnaireResponse",
        json.dumps(resource),
        content_type="application/fhir+json",
    )
    assert response.status_code == 201, response.content
    assert Assessment.objects.filter(patient=ada_patient).count() == 1
    assert Alert.objects.filter(patient=ada_patient, source=AlertSource.INSTRUMENT_ITEM).exists()


def test_repairing_a_deep_document_does_not_exhaust_the_stack() -> None:
    deep: object = LONE
    for _ in range(20_000):
        deep = [deep]
    repaired = valid_json_text(deep)
    for _ in range(20_000):
        assert isinstance(repaired, list)
        repaired = repaired[0]
    assert repaired == REPLACEMENT


def test_staff_free_text_with_a_lone_surrogate_is_stored_not_a_500(
    as_user, ada, ada_patient, ben, dana
) -> None:
    """The same sanitiser on the other free-text inputs: a hand-raised alert's reason, an alert
    action note, a safety plan line and a break-glass reason."""
    from careloop.safety.planning.models import SafetyPlanVersion

    clinician = as_user(ben)
    raised = clinician.post(
        "/api/alerts",
        _api_body(patient_id=str(ada_patient.id), severity="high", reason=f"Phoned{LONE} worried"),
        content_type="application/json",
    )
    assert raised.status_code == 201, raised.content
    alert = Alert.objects.get(patient=ada_patient)
    assert alert.evidence["reason"] == f"Phoned{REPLACEMENT} worried"
    assert clinician.post(f"/api/alerts/{alert.id}/acknowledge").status_code == 200
    action = clinician.post(
        f"/api/alerts/{alert.id}/action",
        json.dumps({"outcome": "contacted_patient", "note": f"Spoke{LONE} to her"}),
        content_type="application/json",
    )
    assert action.status_code == 200, action.content
    plan = as_user(ada).put(
        f"/api/patients/{ada_patient.id}/safety-plan",
        json.dumps({"base_version": 0, "sections": {"warning_signs": [{"text": f"I{LONE} stop"}]}}),
        content_type="application/json",
    )
    assert plan.status_code in (200, 201), plan.content
    assert SafetyPlanVersion.objects.filter(plan__patient=ada_patient).count() == 1
    grant = as_user(dana).post(
        "/api/break-glass",
        json.dumps({"patient_id": str(ada_patient.id), "reason": f"Seen in A&E{LONE} tonight"}),
        content_type="application/json",
    )
    assert grant.status_code == 201, grant.content
