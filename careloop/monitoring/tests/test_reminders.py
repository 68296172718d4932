"""The reminder job: one content-free reminder per patient per due window, on the patient's clock,
never in quiet hours, never after discharge, and never twice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.models import Patient, TreatmentEpisode
from careloop.care.types import EpisodeEnding
from careloop.core import clock, worker
from careloop.monitoring.models import MeasurementPlan
from careloop.monitoring.services import (
    PlanItemChange,
    change_plan_item,
    ensure_default_plans,
    plans,
    record_checkin,
    send_due_reminders,
)
from careloop.notifications.models import Notification, PushSubscription
from careloop.notifications.types import Channel


class Clock:
    """A clock the test moves; every module reads time through careloop.core.clock."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday 10:00 GMT
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def set(self, text: str) -> datetime:
        self.now = datetime.fromisoformat(text).replace(tzinfo=UTC)
        return self.now


@pytest.fixture
def at(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def patient(ada, ada_patient, at):
    ada.email = "ada@example.org"
    ada.save(update_fields=["email"])
    ada_patient.created_at = at.now - timedelta(hours=1)
    ada_patient.save(update_fields=["created_at"])
    ensure_default_plans()
    return ada_patient


def _reminders():
    return list(Notification.objects.order_by("created_at", "channel"))


def _run_at(at: Clock, text: str) -> int:
    """Move the clock and make every plan due a check (as a clinician's change would)."""
    at.set(text)
    MeasurementPlan.objects.update(next_reminder_at=at.now)
    return send_due_reminders()


def test_a_due_patient_gets_one_reminder_per_channel_without_clinical_content(patient, at) -> None:
    assert send_due_reminders() == 1
    rows = _reminders()
    assert sorted(n.channel for n in rows) == [Channel.EMAIL, Channel.IN_APP]
    assert {n.idempotency_key.split(":")[2] for n in rows} == {"2026-03-02"}
    for n in rows:
        text = f"{n.subject} {n.body}".lower()
        for clinical in ("phq", "gad", "mood", "check-in", "depress", "anxi", "ada", "score"):
            assert clinical not in text


def test_reminders_are_idempotent_within_a_window(patient, at) -> None:
    send_due_reminders()
    assert send_due_reminders() == 0  # the plan's next check is tomorrow
    assert _run_at(at, "2026-03-02T15:00") == 1  # checked again: same window, same keys
    assert len(_reminders()) == 2


def test_the_plan_is_next_checked_at_local_midnight(patient, at) -> None:
    send_due_reminders()
    assert MeasurementPlan.objects.get().next_reminder_at == datetime(2026, 3, 3, tzinfo=UTC)


def test_no_reminder_in_quiet_hours_then_one_when_they_end(patient, at) -> None:
    _run_at(at, "2026-03-02T21:30")
    assert _reminders() == []
    plan = MeasurementPlan.objects.get()
    assert plan.next_reminder_at == datetime(2026, 3, 3, tzinfo=UTC)
    at.set("2026-03-03T00:00")
    send_due_reminders()
    assert _reminders() == []  # midnight: still quiet
    assert MeasurementPlan.objects.get().next_reminder_at == datetime(2026, 3, 3, 8, tzinfo=UTC)
    at.set("2026-03-03T08:00")
    send_due_reminders()
    assert {n.idempotency_key.split(":")[2] for n in _reminders()} == {"2026-03-03"}


def test_quiet_hours_follow_the_patients_time_zone(patient, at) -> None:
    Patient.objects.filter(pk=patient.pk).update(time_zone="America/New_York")
    _run_at(at, "2026-03-02T12:30")  # 07:30 in New York
    assert _reminders() == []
    _run_at(at, "2026-03-02T13:00")  # 08:00 in New York
    assert len(_reminders()) == 2


def test_quiet_hours_after_the_clocks_go_forward(patient, at) -> None:
    _run_at(at, "2026-03-29T07:30")  # 08:30 BST on the day the clocks changed
    assert len(_reminders()) == 2
    assert MeasurementPlan.objects.get().next_reminder_at == datetime(2026, 3, 29, 23, tzinfo=UTC)


def _complete_everything(patient, ada, when: datetime) -> None:
    for instrument_id, count in (("phq9", 9), ("gad7", 7)):
        answers: list[int | None] = [1] * count
        submit_assessment(
            patient,
            actor=ada,
            instrument_id=instrument_id,
            answers=answers,
            client_id=uuid.uuid4(),
            source=SubmissionSource.API,
            completed_at=when,
        )
    record_checkin(
        patient,
        actor=ada,
        mood=6,
        client_id=uuid.uuid4(),
        source=SubmissionSource.API,
        completed_at=when,
    )


def test_nothing_due_means_no_reminder(patient, ada, at) -> None:
    _complete_everything(patient, ada, at.set("2026-03-02T09:00"))
    _run_at(at, "2026-03-02T10:00")
    assert _reminders() == []


def test_each_new_window_gets_its_own_reminder(patient, ada, ben, at) -> None:
    off = PlanItemChange(every_days=1, overdue_after_days=0, reminder_enabled=False)
    change_plan_item(patient, actor=ben, measure="checkin", change=off)
    _complete_everything(patient, ada, at.set("2026-03-02T09:00"))
    for day in ("2026-03-03", "2026-03-08"):  # questionnaires not due until 9 March
        _run_at(at, f"{day}T10:00")
    assert _reminders() == []
    _run_at(at, "2026-03-09T10:00")
    _run_at(at, "2026-03-10T10:00")  # same window: nothing new
    _run_at(at, "2026-03-16T10:00")  # missed: the next window opens
    windows = sorted({n.idempotency_key.split(":")[2] for n in _reminders()})
    assert windows == ["2026-03-09", "2026-03-16"]
    assert len(_reminders()) == 4  # in-app and e-mail for each window


def test_web_push_is_used_when_the_patient_has_subscribed(patient, ada, at) -> None:
    PushSubscription.objects.create(
        service=ada.service,
        user=ada,
        endpoint="https://push.example.org/abc",
        p256dh="key",
        auth="auth",
        created_at=at.now,
    )
    send_due_reminders()
    assert Channel.WEB_PUSH in {n.channel for n in _reminders()}


def test_no_reminders_after_discharge(patient, at) -> None:
    TreatmentEpisode.objects.create(
        service=patient.service,
        patient=patient,
        referred_on=at.now.date() - timedelta(days=90),
        started_on=at.now.date() - timedelta(days=80),
        ended_on=at.now.date() - timedelta(days=1),
        ending=EpisodeEnding.COMPLETED,
    )
    assert send_due_reminders() == 1  # checked, but not reminded
    assert _reminders() == []


def test_default_plans_are_stored_only_for_patients_who_can_sign_in(patient, north) -> None:
    Patient.objects.create(service=north.service, care_team=north, display_name="No login")
    assert ensure_default_plans() == 0  # Ada's plan exists; the other patient has no login
    assert list(MeasurementPlan.objects.values_list("patient_id", flat=True)) == [patient.id]


def test_the_worker_has_both_jobs_and_they_plan_then_remind(ada, ada_patient, at, monkeypatch):
    monkeypatch.setitem(plans._adoption, "rest_until", 0.0)  # earlier ticks may have rested
    Patient.objects.filter(pk=ada_patient.pk).update(created_at=at.now)
    jobs = worker.registered_jobs()
    # Registration order is run order: a newly planned patient is reminded in the same tick.
    names = [n for n in jobs if n.startswith("monitoring.")]
    assert names[:2] == ["monitoring.ensure_default_plans", "monitoring.send_due_reminders"]
    assert [jobs[n]() for n in names[:2]] == [1, 1]
    assert jobs["monitoring.ensure_default_plans"]() == 0  # resting after an emptied backlog
    assert Notification.objects.filter(channel=Channel.IN_APP, recipient=ada).count() == 1


@pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked,
    reason="this database has no SKIP LOCKED (SQLite runs one worker)",
)
def test_plans_are_claimed_with_skip_locked(patient) -> None:
    with CaptureQueriesContext(connection) as queries:
        send_due_reminders()
    assert any("SKIP LOCKED" in q["sql"] for q in queries.captured_queries)
