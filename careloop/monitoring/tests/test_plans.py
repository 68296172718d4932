"""Measurement plans: the default plan, clinicians changing an item (service, API, form), audit,
and outsiders getting 404."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from careloop.audit.models import AuditEvent
from careloop.audit.selectors import patient_ref
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.errors import InvalidInput, PermissionDenied
from careloop.instruments import library
from careloop.monitoring import selectors
from careloop.monitoring.models import MeasurementPlan, PlanItem
from careloop.monitoring.selectors import measures
from careloop.monitoring.services import (
    PlanItemChange,
    change_plan_item,
    ensure_default_plan,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday, 10:00 in London (GMT)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def patient(ada_patient):
    ada_patient.created_at = datetime(2026, 2, 23, 9, 0, tzinfo=UTC)  # registered a week ago
    ada_patient.save(update_fields=["created_at"])
    return ada_patient


def _items(plan: MeasurementPlan) -> dict[str, PlanItem]:
    return {item.measure: item for item in plan.items.all()}


def test_default_plan_has_weekly_questionnaires_and_a_daily_check_in(patient) -> None:
    plan = ensure_default_plan(patient, actor=None)
    items = _items(plan)
    assert {m: (i.every_days, i.overdue_after_days) for m, i in items.items()} == {
        "phq9": (7, 3),
        "gad7": (7, 3),
        "checkin": (1, 0),
    }
    assert {i.starts_on for i in items.values()} == {date(2026, 2, 23)}  # from registration
    event = AuditEvent.objects.get(action=AuditAction.MEASUREMENT_PLAN_CREATED)
    assert event.patient_ref == patient_ref(patient.id) and event.actor_id is None
    assert event.detail == {
        "measures": ["phq9", "gad7", "checkin"],
        "skipped_unavailable": ["who5"],
    }


def test_the_default_plan_is_stored_once(patient, ben) -> None:
    first = ensure_default_plan(patient, actor=ben)
    assert ensure_default_plan(patient, actor=ben).pk == first.pk
    assert MeasurementPlan.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.MEASUREMENT_PLAN_CREATED).count() == 1


def test_who5_joins_the_default_plan_monthly_once_the_library_enables_it(
    patient, monkeypatch
) -> None:
    real = library.get_instrument

    def enabled_who5(instrument_id: str):
        definition = real(instrument_id)
        if instrument_id == "who5":
            return dataclasses.replace(definition, enabled=True, disabled_reason=None)
        return definition

    monkeypatch.setattr(measures, "get_instrument", enabled_who5)
    items = _items(ensure_default_plan(patient, actor=None))
    assert (items["who5"].every_days, items["who5"].overdue_after_days) == (28, 7)


def test_disabled_who5_is_neither_scheduled_nor_shown_to_the_patient(patient) -> None:
    assert library.get_instrument("who5").enabled is False  # label-only item text
    measures = [e.planned.info.measure for e in selectors.schedule_for(patient, NOW)]
    assert sorted(measures) == ["checkin", "gad7", "phq9"]
    assert [info.measure for info in selectors.skipped_default_measures()] == ["who5"]


def test_clinician_changes_an_item_and_the_change_is_audited(patient, ben) -> None:
    item = change_plan_item(
        patient,
        actor=ben,
        measure="phq9",
        change=PlanItemChange(every_days=14, overdue_after_days=4, remind_before_days=1),
    )
    assert (item.every_days, item.overdue_after_days, item.remind_before_days) == (14, 4, 1)
    assert item.starts_on == date(2026, 2, 23)  # a change of cadence keeps the start day
    event = AuditEvent.objects.get(action=AuditAction.MEASUREMENT_PLAN_ITEM_CHANGED)
    assert event.actor_id == ben.id and event.patient_ref == patient_ref(patient.id)
    assert event.detail["before"]["every_days"] == 7 and event.detail["after"]["every_days"] == 14
    assert MeasurementPlan.objects.get().next_reminder_at == NOW  # the reminder job looks again


def test_adding_a_measure_starts_it_today_and_resuming_a_paused_one_restarts_it(
    patient, ben
) -> None:
    added = change_plan_item(
        patient,
        actor=ben,
        measure="pcl5",
        change=PlanItemChange(every_days=28, overdue_after_days=7),
    )
    assert added.starts_on == date(2026, 3, 2)
    paused = PlanItemChange(every_days=1, overdue_after_days=0, active=False)
    change_plan_item(patient, actor=ben, measure="checkin", change=paused)
    entry = {e.planned.info.measure: e for e in selectors.plan_overview_for(patient, NOW)}
    assert entry["checkin"].status is None  # paused: not due, not missed
    resumed = change_plan_item(patient, actor=ben, measure="checkin", change=PlanItemChange(1, 0))
    assert resumed.starts_on == date(2026, 3, 2)
    status = selectors.plan_overview_for(patient, NOW)
    checkin = next(e.status for e in status if e.planned.info.measure == "checkin")
    assert checkin is not None and checkin.missed_in_a_row == 0  # paused days are not missed


@pytest.mark.parametrize(
    ("measure", "change", "fragment"),
    [
        ("nope", PlanItemChange(7, 3), "unknown measure"),
        ("who5", PlanItemChange(28, 7), "not available"),
        ("phq9", PlanItemChange(7, 7), "overdue_after_days"),
        ("phq9", PlanItemChange(0, 0), "every_days"),
        ("phq9", PlanItemChange(7, 3, remind_before_days=9), "remind_before_days"),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_written(
    patient, ben, measure, change, fragment
) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        change_plan_item(patient, actor=ben, measure=measure, change=change)
    assert not MeasurementPlan.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.MEASUREMENT_PLAN_ITEM_CHANGED).exists()


def test_a_patient_cannot_change_their_own_plan(patient, ada) -> None:
    with pytest.raises(PermissionDenied):
        change_plan_item(patient, actor=ada, measure="phq9", change=PlanItemChange(14, 3))


# --- API ---------------------------------------------------------------------------------------


def _put(client, patient_id, measure, body):
    return client.put(
        f"/api/patients/{patient_id}/plan/items/{measure}", body, content_type="application/json"
    )


def test_clinician_reads_the_default_plan_with_states(as_user, patient, ben) -> None:
    response = as_user(ben).get(f"/api/patients/{patient.id}/plan")
    assert response.status_code == 200
    body = response.json()
    assert body["is_stored"] is False
    states = {i["measure"]: (i["state"], i["missed_in_a_row"]) for i in body["items"]}
    # Registered Monday 23 Feb, nothing done: the weekly window closed Thursday 26th, and the
    # daily check-in missed 23 Feb to 1 March.
    assert states == {"phq9": ("overdue", 1), "gad7": ("overdue", 1), "checkin": ("overdue", 7)}
    assert body["skipped_default_measures"][0]["measure"] == "who5"
    assert "label" in body["skipped_default_measures"][0]["reason"]


def test_clinician_puts_a_plan_item(as_user, patient, ben) -> None:
    response = _put(as_user(ben), patient.id, "gad7", {"every_days": 14, "overdue_after_days": 5})
    assert response.status_code == 200, response.content
    assert response.json()["every_days"] == 14 and response.json()["state"] == "overdue"
    assert PlanItem.objects.get(measure="gad7").overdue_after_days == 5


@pytest.mark.parametrize(
    "body",
    [
        {"every_days": 7, "overdue_after_days": 9},
        {"every_days": "weekly", "overdue_after_days": 3},
        {"overdue_after_days": 3},
    ],
)
def test_bad_plan_item_bodies_get_a_4xx_with_a_message(as_user, patient, ben, body) -> None:
    response = _put(as_user(ben), patient.id, "phq9", body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert not PlanItem.objects.exists()


def test_unknown_measure_gets_a_clear_message(as_user, patient, ben) -> None:
    response = _put(as_user(ben), patient.id, "mood", {"every_days": 7, "overdue_after_days": 3})
    assert response.status_code == 422
    assert "unknown measure 'mood'" in response.json()["detail"]


def test_outsiders_get_404_for_the_plan_and_change_nothing(as_user, patient, dana, cleo) -> None:
    for outsider in (dana, cleo):
        client = as_user(outsider)
        assert client.get(f"/api/patients/{patient.id}/plan").status_code == 404
        body = {"every_days": 1, "overdue_after_days": 0}
        assert _put(client, patient.id, "phq9", body).status_code == 404
    assert not MeasurementPlan.objects.exists()


def test_patient_may_read_but_not_change_their_plan(as_user, patient, ada) -> None:
    client = as_user(ada)
    assert client.get(f"/api/patients/{patient.id}/plan").status_code == 200
    response = _put(client, patient.id, "phq9", {"every_days": 30, "overdue_after_days": 3})
    assert response.status_code == 403
    assert "care team" in response.json()["detail"]


# --- The clinician's form ----------------------------------------------------------------------


def test_patient_page_shows_the_plan_and_the_form_changes_it(as_user, patient, ben) -> None:
    client = as_user(ben)
    page = client.get(f"/patients/{patient.id}/")
    assert page.status_code == 200
    assert b"Measurement plan" in page.content and b"WHO-5" in page.content
    response = client.post(
        f"/patients/{patient.id}/plan/phq9/",
        {"every_days": "14", "overdue_after_days": "3", "reminder_enabled": "on", "active": "on"},
    )
    assert response.status_code == 302
    assert PlanItem.objects.get(measure="phq9").every_days == 14
    bad = client.post(f"/patients/{patient.id}/plan/phq9/", {"every_days": "x"})
    assert bad.status_code == 422 and b"whole numbers" in bad.content


def test_outsider_cannot_post_the_plan_form(as_user, patient, dana) -> None:
    response = as_user(dana).post(
        f"/patients/{patient.id}/plan/phq9/", {"every_days": "1", "overdue_after_days": "0"}
    )
    assert response.status_code == 404
    assert not MeasurementPlan.objects.exists()
