"""The patient's own reminder settings (#14 item 7): stored through one audited service, honoured
by the reminder job (time of day on the patient's clock, quiet hours also across midnight,
pause, channel with its fallback), on a page only the patient reaches, exported and erased."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.models import Patient
from careloop.core.errors import InvalidInput, NotFound
from careloop.monitoring.models import MeasurementPlan, ReminderPreference
from careloop.monitoring.schedule import QuietHours, ReminderTiming, next_reminder_check
from careloop.monitoring.services import (
    ensure_default_plans,
    send_due_reminders,
    set_reminder_preference,
)
from careloop.monitoring.types import ReminderChannel, ReminderSettings
from careloop.notifications.models import Notification, PushSubscription
from careloop.notifications.types import Channel
from careloop.rights.data.erasure import erase_patient
from careloop.rights.data.export import export_patient

MONDAY_0600 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # Monday, GMT (London = UTC in March)


BASE = ReminderSettings(
    channel=ReminderChannel.EMAIL,
    remind_at=time(18, 0),
    quiet_starts=time(21, 0),
    quiet_ends=time(8, 0),
)


def _settings(**changes: Any) -> ReminderSettings:
    return replace(BASE, **changes)


@pytest.fixture
def patient(ada, ada_patient, time_machine):
    time_machine.move_to(MONDAY_0600, tick=False)
    ada.email = "ada@example.org"
    ada.save(update_fields=["email"])
    ada_patient.created_at = MONDAY_0600 - timedelta(hours=1)
    ada_patient.save(update_fields=["created_at"])
    ensure_default_plans()
    return ada_patient


def _choose(ada, patient, **changes) -> ReminderPreference:
    return set_reminder_preference(actor=ada, patient=patient, settings=_settings(**changes))


def _run_at(time_machine, when: datetime) -> list[Notification]:
    time_machine.move_to(when, tick=False)
    MeasurementPlan.objects.update(next_reminder_at=when)
    send_due_reminders()
    return list(Notification.objects.order_by("created_at", "channel"))


# --- the pure timing ---------------------------------------------------------------------------


def test_a_time_inside_quiet_hours_moves_to_their_end() -> None:
    quiet = QuietHours(starts=time(22, 0), ends=time(7, 0))
    assert ReminderTiming(time(23, 30), quiet).send_time == time(7, 0)  # across midnight
    assert ReminderTiming(time(6, 0), quiet).send_time == time(7, 0)
    assert ReminderTiming(time(18, 0), quiet).send_time == time(18, 0)
    no_quiet = QuietHours(starts=time(0, 0), ends=time(0, 0))
    assert ReminderTiming(time(2, 0), no_quiet).send_time == time(2, 0)


def test_the_next_check_is_the_patients_reminder_time() -> None:
    timing = ReminderTiming(remind_at=time(18, 0))
    assert next_reminder_check(MONDAY_0600, "Europe/London", timing) == datetime(
        2026, 3, 2, 18, 0, tzinfo=UTC
    )
    # New York is five hours behind in early March: 18:00 there is 23:00 UTC.
    assert next_reminder_check(MONDAY_0600, "America/New_York", timing) == datetime(
        2026, 3, 2, 23, 0, tzinfo=UTC
    )


# --- the worker honours the choice -------------------------------------------------------------


def test_the_reminder_comes_at_the_chosen_hour_not_before(ada, patient, time_machine) -> None:
    _choose(ada, patient, remind_at=time(18, 0))
    assert _run_at(time_machine, datetime(2026, 3, 2, 17, 59, tzinfo=UTC)) == []
    assert MeasurementPlan.objects.get().next_reminder_at == datetime(2026, 3, 2, 18, tzinfo=UTC)
    sent = _run_at(time_machine, datetime(2026, 3, 2, 18, 0, tzinfo=UTC))
    assert sorted(n.channel for n in sent) == [Channel.EMAIL, Channel.IN_APP]


def test_the_chosen_hour_is_on_the_patients_clock(ada, patient, time_machine) -> None:
    Patient.objects.filter(pk=patient.pk).update(time_zone="America/New_York")
    patient.refresh_from_db()
    _choose(ada, patient, remind_at=time(9, 30))
    assert _run_at(time_machine, datetime(2026, 3, 2, 14, 0, tzinfo=UTC)) == []  # 09:00 NY
    assert len(_run_at(time_machine, datetime(2026, 3, 2, 14, 30, tzinfo=UTC))) == 2


def test_a_time_in_quiet_hours_across_midnight_waits_for_their_end(
    ada, patient, time_machine
) -> None:
    _choose(ada, patient, remind_at=time(23, 30), quiet_starts=time(22, 0), quiet_ends=time(7, 0))
    assert _run_at(time_machine, datetime(2026, 3, 2, 23, 30, tzinfo=UTC)) == []
    assert _run_at(time_machine, datetime(2026, 3, 3, 2, 0, tzinfo=UTC)) == []  # still quiet
    # The job itself plans the next look at 07:00, when quiet hours end.
    assert MeasurementPlan.objects.get().next_reminder_at == datetime(2026, 3, 3, 7, tzinfo=UTC)
    sent = _run_at(time_machine, datetime(2026, 3, 3, 7, 0, tzinfo=UTC))
    assert {n.idempotency_key.split(":")[2] for n in sent} == {"2026-03-03"}


def test_no_reminder_in_the_patients_own_quiet_hours(ada, patient, time_machine) -> None:
    _choose(ada, patient, remind_at=time(9, 0), quiet_starts=time(12, 0), quiet_ends=time(14, 0))
    assert len(_run_at(time_machine, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))) == 2
    Notification.objects.all().delete()
    # The next day: the daily check-in is due again, but 12:30 is quiet.
    assert _run_at(time_machine, datetime(2026, 3, 3, 12, 30, tzinfo=UTC)) == []


def test_no_reminder_while_paused_indefinitely(ada, patient, time_machine) -> None:
    _choose(ada, patient, paused=True)
    assert _run_at(time_machine, datetime(2026, 3, 2, 18, 0, tzinfo=UTC)) == []
    assert _run_at(time_machine, datetime(2026, 3, 20, 18, 0, tzinfo=UTC)) == []


def test_a_pause_until_a_day_ends_that_morning(ada, patient, time_machine) -> None:
    _choose(ada, patient, paused_until=date(2026, 3, 4))
    assert _run_at(time_machine, datetime(2026, 3, 3, 18, 0, tzinfo=UTC)) == []
    sent = _run_at(time_machine, datetime(2026, 3, 4, 18, 0, tzinfo=UTC))
    assert {n.idempotency_key.split(":")[2] for n in sent} == {"2026-03-04"}


def test_in_app_only_sends_nothing_outside_careloop(ada, patient, time_machine) -> None:
    _choose(ada, patient, channel=ReminderChannel.IN_APP)
    sent = _run_at(time_machine, datetime(2026, 3, 2, 18, 0, tzinfo=UTC))
    assert [n.channel for n in sent] == [Channel.IN_APP]


def test_web_push_is_used_when_chosen_and_subscribed(ada, patient, time_machine) -> None:
    PushSubscription.objects.create(
        service_id=patient.service_id,
        user=ada,
        endpoint="https://push.example.test/abc",
        p256dh="k" * 20,
        auth="a" * 10,
        created_at=MONDAY_0600,
    )
    _choose(ada, patient, channel=ReminderChannel.WEB_PUSH)
    sent = _run_at(time_machine, datetime(2026, 3, 2, 18, 0, tzinfo=UTC))
    assert sorted(n.channel for n in sent) == [Channel.IN_APP, Channel.WEB_PUSH]


def test_a_channel_without_an_address_falls_back_to_in_app(ada, patient, time_machine) -> None:
    ada.email = ""
    ada.save(update_fields=["email"])
    _choose(ada, patient, channel=ReminderChannel.EMAIL)
    sent = _run_at(time_machine, datetime(2026, 3, 2, 18, 0, tzinfo=UTC))
    assert [n.channel for n in sent] == [Channel.IN_APP]
    Notification.objects.all().delete()
    _choose(ada, patient, channel=ReminderChannel.WEB_PUSH)  # no browser subscription
    sent = _run_at(time_machine, datetime(2026, 3, 3, 18, 0, tzinfo=UTC))
    assert [n.channel for n in sent] == [Channel.IN_APP]


# --- the write path ----------------------------------------------------------------------------


def test_a_change_is_audited_with_the_settings_and_rechecks_the_plan(ada, patient) -> None:
    MeasurementPlan.objects.update(next_reminder_at=MONDAY_0600 + timedelta(days=1))
    preference = _choose(ada, patient, paused_until=date(2026, 3, 10))
    event = AuditEvent.objects.get(action=AuditAction.REMINDER_PREFERENCES_CHANGED)
    assert event.actor_id == ada.id
    assert event.purpose == PurposeOfUse.PATRQT
    assert event.detail == {
        "channel": "email",
        "remind_at": "18:00",
        "quiet_starts": "21:00",
        "quiet_ends": "08:00",
        "paused": False,
        "paused_until": "2026-03-10",
    }
    assert MeasurementPlan.objects.get().next_reminder_at == MONDAY_0600
    # A second change updates the one row.
    again = _choose(ada, patient, channel=ReminderChannel.IN_APP)
    assert again.id == preference.id and ReminderPreference.objects.count() == 1
    assert again.paused_until is None


def test_only_the_patient_may_change_their_reminders(ben, patient) -> None:
    with pytest.raises(NotFound):
        set_reminder_preference(actor=ben, patient=patient, settings=_settings())
    assert not ReminderPreference.objects.exists()


@pytest.mark.parametrize("until", [date(2026, 3, 2), date(2026, 3, 1), date(2027, 6, 1)])
def test_a_pause_must_end_after_today_and_within_a_year(ada, patient, until) -> None:
    with pytest.raises(InvalidInput):
        _choose(ada, patient, paused_until=until)


# --- the page ----------------------------------------------------------------------------------


def test_the_page_shows_the_defaults_and_saves_a_choice(ada, patient, as_user) -> None:
    client = as_user(ada)
    page = client.get("/reminders/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "we remind you at 08:00" in html
    assert 'value="email" aria-describedby="channel-email-help" checked' in html
    saved = client.post(
        "/reminders/",
        {
            "channel": "in_app",
            "remind_at": "23:30",
            "quiet": "on",
            "quiet_starts": "22:00",
            "quiet_ends": "07:00",
            "pause": "off",
        },
    )
    assert saved.status_code == 302
    html = client.get("/reminders/").content.decode()
    assert "we remind you at 07:00" in html
    assert "You chose 23:30, but that is in your quiet hours" in html
    assert ReminderPreference.objects.get().channel == ReminderChannel.IN_APP


def test_the_page_says_where_reminders_go_without_an_address(ada, patient, as_user) -> None:
    ada.email = ""
    ada.save(update_fields=["email"])
    client = as_user(ada)
    html = client.get("/reminders/").content.decode()
    assert "We have no e-mail address for you, so your reminders only show in Careloop" in html
    assert (
        'id="channel-web_push"' in html
        and "disabled" in html.split('id="channel-web_push"')[1][:200]
    )


def test_a_refused_change_keeps_the_patients_entries(ada, patient, as_user) -> None:
    client = as_user(ada)
    page = client.post(
        "/reminders/",
        {"channel": "email", "remind_at": "nine", "quiet": "none", "pause": "off"},
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert "Please give the reminder time as a time" in html
    assert 'value="nine"' in html
    assert not ReminderPreference.objects.exists()


def test_the_page_is_not_found_for_anyone_but_a_patient(ben, cleo, patient, as_user) -> None:
    for user in (ben, cleo):
        client = as_user(user)
        assert client.get("/reminders/").status_code == 404
        assert client.post("/reminders/", {"channel": "in_app"}).status_code == 404
    assert not ReminderPreference.objects.exists()


# --- export and erasure ------------------------------------------------------------------------


def test_the_settings_are_exported_and_erased(ada, cleo, patient) -> None:
    preference = _choose(ada, patient, channel=ReminderChannel.IN_APP, paused=True)
    bundle = export_patient(ada, patient)
    basics = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Basic"]
    assert [b["id"] for b in basics] == [str(preference.id)]
    words = basics[0]["extension"][0]["valueString"]
    assert words == (
        "Channel: Only in Careloop; time of day: 18:00; quiet hours: 21:00 to 08:00; "
        "paused: until switched back on."
    )
    erase_patient(cleo, patient.id, written_request=True)
    assert not ReminderPreference.objects.exists()


def test_the_page_reads_at_grade_6(ada, patient, as_user) -> None:
    from tests.patient_app.pages import visible_text
    from tests.patient_app.readability import MEASURES, longest_sentences

    html = as_user(ada).get("/reminders/").content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    text = visible_text(f"<main{main}</main>")
    measure = MEASURES["en"]
    assert measure.passes(measure.score(text)), measure.describe(measure.score(text))
    assert longest_sentences(text) == []
