"""The patient's side of the schedule: GET /api/me/schedule, the home page in plain language, and
the daily mood check-in (form and idempotent JSON API)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.audit.models import AuditEvent
from careloop.audit.selectors import patient_ref
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.monitoring.models import CheckIn

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday 2 March, 10:00 in London


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def patient(ada_patient):
    ada_patient.created_at = NOW
    ada_patient.save(update_fields=["created_at"])
    return ada_patient


@pytest.fixture
def ada_client(as_user, ada, patient):
    return as_user(ada)


def _post_checkin(client, body):
    return client.post("/api/checkins", body, content_type="application/json")


def test_new_patient_has_everything_due_today_and_no_disabled_instrument(ada_client) -> None:
    response = ada_client.get("/api/me/schedule")
    assert response.status_code == 200
    items = {i["measure"]: i for i in response.json()}
    assert set(items) == {"phq9", "gad7", "checkin"}
    assert {i["state"] for i in items.values()} == {"due"}
    assert items["phq9"]["summary"] == "Patient Health Questionnaire-9 (PHQ-9) is due today."
    assert items["phq9"]["answer_path"] == "/questionnaires/phq9/"
    assert items["checkin"]["answer_path"] == "/checkin/"


def test_a_submission_moves_the_next_due_day_a_week_on(ada_client, ada, patient) -> None:
    submit_assessment(
        patient,
        actor=ada,
        instrument_id="phq9",
        answers=[1] * 9,
        client_id=uuid.uuid4(),
        source=SubmissionSource.API,
    )
    items = {i["measure"]: i for i in ada_client.get("/api/me/schedule").json()}
    assert (items["phq9"]["state"], items["phq9"]["due_on"]) == ("not_due", "2026-03-09")
    assert items["phq9"]["summary"].endswith("next due on Monday 9 March.")
    assert [i["measure"] for i in ada_client.get("/api/me/schedule").json()][-1] == "phq9"


def test_home_page_says_what_is_due_in_plain_language(ada_client) -> None:
    page = ada_client.get("/").content.decode()
    assert "is due today." in page
    assert 'href="/questionnaires/phq9/"' in page and 'href="/checkin/"' in page
    assert "WHO-5" not in page  # disabled in the instrument library: never offered


def test_an_overdue_weekly_questionnaire_says_so_but_a_daily_check_in_is_just_due_today(
    ada_client, patient
) -> None:
    patient.created_at = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)  # ten days ago, nothing done
    patient.save(update_fields=["created_at"])
    items = {i["measure"]: i for i in ada_client.get("/api/me/schedule").json()}
    assert items["phq9"]["summary"].endswith(
        "was due on Friday 20 February. You can still do it now."
    )
    assert items["checkin"]["state"] == "overdue" and items["checkin"]["missed_in_a_row"] == 10
    assert items["checkin"]["summary"] == "Mood check-in is due today."
    page = ada_client.get("/").content.decode()
    assert page.count('<span class="badge">overdue</span>') == 2  # PHQ-9 and GAD-7 only


def test_schedule_is_for_patients_only(as_user, ben, cleo, patient, client) -> None:
    assert as_user(ben).get("/api/me/schedule").status_code == 404
    assert as_user(cleo).get("/api/me/schedule").status_code == 404
    assert client.get("/api/me/schedule").status_code == 401


# --- Check-ins ---------------------------------------------------------------------------------


def test_check_in_is_stored_once_per_client_id(ada_client, ada, patient) -> None:
    body = {"mood": 7, "note": "slept well", "client_id": str(uuid.uuid4())}
    first = _post_checkin(ada_client, body)
    assert first.status_code == 201, first.content
    assert first.json()["mood"] == 7
    replay = _post_checkin(ada_client, body)
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    clash = _post_checkin(ada_client, {**body, "mood": 2})
    assert clash.status_code == 409 and "different check-in" in clash.json()["detail"]
    assert CheckIn.objects.count() == 1
    event = AuditEvent.objects.get(action=AuditAction.CHECKIN_SUBMITTED)
    assert (event.actor_id, event.patient_ref, event.detail) == (
        ada.id,
        patient_ref(patient.id),
        {},
    )


def test_a_check_in_today_makes_the_next_one_due_tomorrow(ada_client) -> None:
    _post_checkin(ada_client, {"mood": 5, "client_id": str(uuid.uuid4())})
    items = {i["measure"]: i for i in ada_client.get("/api/me/schedule").json()}
    assert (items["checkin"]["state"], items["checkin"]["due_on"]) == ("not_due", "2026-03-03")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"mood": 11}, "from 0 (very low) to 10"),
        ({"mood": -1}, "from 0 (very low) to 10"),
        ({"mood": 5, "note": "x" * 501}, "at most 500"),
        ({"mood": 5, "completed_at": "2026-03-02T09:00:00"}, "time zone offset"),
        ({"mood": 5, "completed_at": "2026-03-03T09:00:00Z"}, "future"),
        ({"mood": "fine"}, ""),
        ({"mood": 5, "client_id": "not-a-uuid"}, ""),
        ({"client_id": None}, ""),
    ],
)
def test_bad_check_ins_get_a_clear_4xx_and_store_nothing(ada_client, body, fragment) -> None:
    response = _post_checkin(ada_client, {"client_id": str(uuid.uuid4()), **body})
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert detail and fragment in str(detail)
    assert not CheckIn.objects.exists()


def test_only_a_patient_can_check_in(as_user, ben, dana, patient) -> None:
    for staff in (ben, dana):
        response = _post_checkin(as_user(staff), {"mood": 5, "client_id": str(uuid.uuid4())})
        assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_check_in_form(ada_client) -> None:
    assert ada_client.get("/checkin/").status_code == 200
    saved = ada_client.post("/checkin/", {"mood": "4", "client_id": str(uuid.uuid4())}, follow=True)
    assert saved.redirect_chain == [("/", 302)]
    assert b"Your check-in is saved" in saved.content
    assert CheckIn.objects.get().mood == 4
    missing = ada_client.post("/checkin/", {"client_id": str(uuid.uuid4())})
    assert missing.status_code == 422 and b"from 0 to 10" in missing.content


def test_clinicians_have_no_check_in_form(as_user, ben, patient) -> None:
    assert as_user(ben).get("/checkin/").status_code == 404


def test_clinician_sees_check_ins_on_the_patient_page(as_user, ada_client, ben, patient) -> None:
    _post_checkin(ada_client, {"mood": 3, "note": "tired", "client_id": str(uuid.uuid4())})
    page = as_user(ben).get(f"/patients/{patient.id}/")
    assert b"Mood check-ins" in page.content and b"tired" in page.content
