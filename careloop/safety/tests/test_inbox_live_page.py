"""The alert list: server-rendered in plain words, wired for the live inbox (external scripts, a
polite status region, the words the script needs), and the API the script polls."""

from __future__ import annotations

import html as html_lib
import json
import re

from careloop.safety.services import notify_raised_alerts
from careloop.safety.tests.conftest import submit_risk


def section(html: str) -> str:
    found = re.search(r'<section id="alert-inbox".*?</section>', html, re.S)
    assert found
    return found.group(0)


def test_the_list_is_server_rendered_in_plain_words(as_user, risk_alert, reachable, ben) -> None:
    notify_raised_alerts()
    html = as_user(ben).get("/alerts/").content.decode()
    inbox = section(html)
    assert "Please respond" in inbox and "escalation step 1" in inbox
    assert "PHQ-9" in inbox and "question 9" in inbox and ">High<" in inbox
    assert "Waiting for someone to take it on" in html
    assert "Next: whoever is on call for the team" in html and 'data-clock="until"' in html
    for code in (
        "instrument_risk_item",
        "@1.0.0",
        "rule ",
        ">high<",
        ">notified<",
        "stream number",
    ):
        assert code not in html, code


def test_the_live_region_is_polite_and_not_a_list(as_user, risk_alert, ben) -> None:
    html = as_user(ben).get("/alerts/").content.decode()
    status = re.search(r'<(\w+) id="alert-inbox-status"[^>]*>', html)
    assert status and status.group(1) == "div"
    assert 'role="status"' in status.group(0) and 'aria-live="polite"' in status.group(0)
    assert not re.search(r"<ul[^>]*role=", html)  # role on a list breaks its semantics (axe)


def test_the_script_gets_its_words_and_limits_from_the_page(as_user, risk_alert, ben) -> None:
    html = as_user(ben).get("/alerts/").content.decode()
    tag = re.search(r'<section id="alert-inbox"[^>]*>', html, re.S)
    assert tag
    labels = json.loads(
        html_lib.unescape(re.search(r'data-labels="([^"]*)"', tag.group(0)).group(1))
    )
    assert labels["severity"]["high"] == "High"
    assert labels["status"]["notified"] == "Waiting for someone to take it on"
    assert "%(what)s" in labels["announce_one"]
    assert 'data-idle-ms="450000"' in tag.group(0)  # half the 15-minute staff idle limit
    scripts = re.findall(r'<script src="/static/safety/(\w+)\.js" defer></script>', html)
    assert scripts == ["inbox_stream", "inbox", "alert_clock"]  # the gap module first


def test_the_polled_endpoint_returns_only_what_is_new_in_order(
    as_user, ada, ada_patient, reachable, ben
) -> None:
    submit_risk(ada, ada_patient)
    notify_raised_alerts()
    client = as_user(ben)
    head = client.get("/api/alerts/inbox", {"after_seq": 0}).json()
    assert [e["seq"] for e in head["entries"]] == [1] and head["last_seq"] == 1
    assert client.get("/api/alerts/inbox", {"after_seq": 1}).json() == {
        "last_seq": 1,
        "entries": [],
    }
    submit_risk(ada, ada_patient, [0, 0, 0, 0, 0, 0, 0, 0, 3])
    notify_raised_alerts()
    page = client.get("/api/alerts/inbox", {"after_seq": 1}).json()
    assert [e["seq"] for e in page["entries"]] == [2] and page["last_seq"] == 2
    assert page["entries"][0]["alert"]["patient_name"] == "Ada Test"


def test_an_outsider_sees_nothing_of_another_teams_inbox(as_user, risk_alert, reachable, dana):
    notify_raised_alerts()
    client = as_user(dana)
    assert client.get("/api/alerts/inbox").json() == {"last_seq": 0, "entries": []}
    assert "Ada Test" not in client.get("/alerts/").content.decode()


def test_once_taken_on_the_inbox_stops_asking_for_a_response(
    as_user, risk_alert, reachable, ben, sam
) -> None:
    notify_raised_alerts()
    as_user(sam).post(f"/alerts/{risk_alert.id}/acknowledge")
    inbox = section(as_user(ben).get("/alerts/").content.decode()).partition("<tbody>")[2]
    assert "Please respond" not in inbox and 'class="respond"' not in inbox
    assert "You were asked to respond (escalation step 1)" in inbox
    assert "Taken on: no response needed from you" in inbox
    assert inbox.count("Taken on: record what was done") == 2  # both rows show where it stands
