"""Each clinician's alert stream is numbered without gaps, so a client can detect what it missed."""

from __future__ import annotations

from careloop.care.models import TeamMembership
from careloop.safety.models import InboxEntry
from careloop.safety.services import (
    acknowledge_alert,
    escalate_overdue_alerts,
    notify_raised_alerts,
)
from careloop.safety.tests.conftest import submit_risk


def _stream(user) -> list[tuple[int, str]]:
    return list(InboxEntry.objects.filter(recipient=user).values_list("seq", "kind"))


def test_numbers_run_one_two_three_per_recipient(clock, ada, ada_patient, reachable, ben, sam):
    alerts = [submit_risk(ada, ada_patient) for _ in range(3)]
    notify_raised_alerts()
    acknowledge_alert(alerts[0], actor=ben)
    clock.advance(minutes=15)
    escalate_overdue_alerts()  # the two unacknowledged alerts reach Sam
    assert _stream(ben) == [(1, "alert"), (2, "alert"), (3, "alert"), (4, "acknowledged")]
    assert _stream(sam) == [(1, "alert"), (2, "alert")]


def test_the_inbox_api_returns_what_follows_a_number(as_user, ada, ada_patient, reachable, ben):
    for _ in range(3):
        submit_risk(ada, ada_patient)
    notify_raised_alerts()
    page = as_user(ben).get("/api/alerts/inbox", {"after_seq": 1}).json()
    assert page["last_seq"] == 3 and [e["seq"] for e in page["entries"]] == [2, 3]
    entry = page["entries"][0]
    assert entry["kind"] == "alert" and entry["step"] == 1
    assert entry["alert"]["patient_name"] == "Ada Test" and entry["alert"]["severity"] == "high"
    assert "question 9" in entry["alert"]["reason"]
    limited = as_user(ben).get("/api/alerts/inbox", {"after_seq": 0, "limit": 1}).json()
    assert [e["seq"] for e in limited["entries"]] == [1] and limited["last_seq"] == 3
    assert as_user(ben).get("/api/alerts/inbox", {"after_seq": 3}).json()["entries"] == []


def test_an_entry_the_reader_may_no_longer_see_keeps_its_number_but_not_its_content(
    as_user, risk_alert, reachable, ben
) -> None:
    notify_raised_alerts()
    TeamMembership.objects.filter(user=ben).delete()  # Ben moves out of Team North
    page = as_user(ben).get("/api/alerts/inbox").json()
    assert page["entries"] == [
        {
            "seq": 1,
            "kind": "hidden",
            "created_at": page["entries"][0]["created_at"],
            "step": 1,
            "alert": None,
        }
    ]


def test_an_outsider_is_never_told_about_another_teams_alert(
    clock, as_user, ada, ada_patient, reachable, dana
) -> None:
    submit_risk(ada, ada_patient)
    notify_raised_alerts()
    for _ in range(4):  # the whole chain, and the fallback
        clock.advance(minutes=15)
        escalate_overdue_alerts()
    assert _stream(dana) == []
    assert as_user(dana).get("/api/alerts/inbox").json() == {"last_seq": 0, "entries": []}


def test_a_patient_has_no_alert_inbox(as_user, ada) -> None:
    assert as_user(ada).get("/api/alerts/inbox").status_code == 404


def test_a_negative_number_is_refused(as_user, ben) -> None:
    assert as_user(ben).get("/api/alerts/inbox", {"after_seq": -1}).status_code == 422
