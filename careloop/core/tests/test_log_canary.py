"""P3 canary: planted personal details go through real flows (and forced errors) and never reach
a log line. P2: nor any URL the flows produce."""

from __future__ import annotations

import io
import logging
import uuid

import pytest
import structlog
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from careloop.core import logging as careloop_logging
from config.urls import urlpatterns as project_urlpatterns

NAME = "Zyx Canaryq7"
EMAIL = "zyx.canaryq7@example.org"
PHONE = "+44 7700 900461"
NHS_LIKE = "943 476 5919"
NOTE = f"canary-journal-8f3a ring me on {PHONE} or {EMAIL}, number {NHS_LIKE}"
ANSWER = "canary-answer-5d1e"
CANARIES = [NAME, EMAIL, PHONE, "7700 900461", "7700900461", NHS_LIKE, "9434765919", "8f3a", ANSWER]


def _explode(request: HttpRequest) -> HttpResponse:
    """A bug that quotes what it was given, as real bugs do (int() of the note, here)."""
    return HttpResponse(str(int(request.POST.get("note", ""))))


urlpatterns = [path("test-explode/", _explode), *project_urlpatterns]


@pytest.fixture
def log_output(caplog):
    """Everything logged at DEBUG by any logger: raw records and the configured formatter."""
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    config = careloop_logging.formatter(json=True)
    handler.setFormatter(config["()"](**{k: v for k, v in config.items() if k != "()"}))
    logging.getLogger().addHandler(handler)
    yield caplog, stream
    logging.getLogger().removeHandler(handler)


def _leaks(text: str) -> list[str]:
    compact = text.replace(" ", "")
    return [c for c in CANARIES if c in text or c.replace(" ", "") in compact]


@pytest.mark.urls(__name__)
def test_planted_personal_details_never_reach_logs_or_urls(
    log_output, as_user, ada, ada_patient, ben, monkeypatch
) -> None:
    caplog, stream = log_output
    ada.email, ada.phone_number = EMAIL, PHONE
    ada.save()
    ada_patient.display_name = NAME
    ada_patient.save()
    patient_client, clinician = as_user(ada), as_user(ben)
    responses = []

    # Check-ins through the page and the API, including a validation error with the note in it.
    responses.append(
        patient_client.post(
            "/checkin/", {"mood": "3", "note": NOTE, "client_id": str(uuid.uuid4())}
        )
    )
    api_body = {"mood": 4, "note": NOTE, "client_id": str(uuid.uuid4())}
    responses.append(
        patient_client.post("/api/checkins", api_body, content_type="application/json")
    )
    invalid = {"mood": ANSWER, "note": NOTE, "client_id": str(uuid.uuid4())}
    responses.append(patient_client.post("/api/checkins", invalid, content_type="application/json"))
    responses.append(patient_client.post("/checkin/", {"mood": ANSWER, "note": NOTE}))

    # A questionnaire with a bad answer, then a good one (item 9 raises an alert).
    from careloop.instruments.library import get_instrument

    links = [item.link_id for item in get_instrument("phq9").items]
    bad = {f"item-{link}": ANSWER for link in links} | {"client_id": str(uuid.uuid4())}
    responses.append(patient_client.post("/questionnaires/phq9/", bad))
    good = {f"item-{link}": "2" for link in links[:9]} | {"client_id": str(uuid.uuid4())}
    responses.append(patient_client.post("/questionnaires/phq9/", good, follow=True))

    # The clinician side shows the name and the note; the patient sees their results.
    for url in ("/caseload/", f"/patients/{ada_patient.id}/", "/alerts/", "/api/alerts"):
        responses.append(clinician.get(url))
    responses.append(patient_client.get("/questionnaires/history/"))

    # Forced 500s: a view that quotes its input, and a service failing mid-check-in.
    crashing = Client(raise_request_exception=False)
    crashing.force_login(ada)
    responses.append(crashing.post("/test-explode/", {"note": NOTE}))

    def failing_store(*args, **kwargs):
        raise RuntimeError(f"could not store {kwargs.get('note')} for {NAME}")

    monkeypatch.setattr("careloop.monitoring.views.record_checkin", failing_store)
    responses.append(
        crashing.post("/checkin/", {"mood": "3", "note": NOTE, "client_id": str(uuid.uuid4())})
    )
    structlog.get_logger("careloop.test").info(
        "checkin.saved", note=NOTE, display_name=NAME, detail=f"for {EMAIL}"
    )
    assert [r.status_code for r in responses[-2:]] == [500, 500]

    records = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.__dict__.get('exc_info') or ''}"
        for r in caplog.records
    )
    handler_output = stream.getvalue()
    assert "Internal Server Error" in handler_output and "request_id" in handler_output
    assert "ValueError" in handler_output and "RuntimeError" in handler_output
    assert _leaks(records) == []
    assert _leaks(caplog.text) == []
    assert _leaks(handler_output) == []
    # P2: no personal detail in any URL the flows led to.
    locations = " ".join(r.get("Location", "") for r in responses)
    assert _leaks(locations) == []


def test_scrub_and_redact_units() -> None:
    assert careloop_logging.scrub(f"mail {EMAIL} tel {PHONE} nhs {NHS_LIKE}") == (
        "mail [email] tel [number] nhs [number]"
    )
    kept = "alert 0192f1a2-7c3b-7def-8123-456789abcdef at 2026-03-02 09:15:00, 12 items"
    assert careloop_logging.scrub(kept) == kept
    event = careloop_logging.redact(None, "info", {"event": "x", "note": NOTE, "count": 3})
    assert event == {"event": "x", "note": "[redacted]", "count": 3}
