"""The clinician's alert pages: the live inbox, one alert and its forms, raising by hand."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from django.contrib.staticfiles import finders

from careloop.safety.models import Alert
from careloop.safety.services import notify_raised_alerts
from careloop.safety.services.fallback import fire_fallback
from careloop.safety.types import AlertStatus


def test_the_alert_page_shows_the_live_inbox_without_inline_script(
    as_user, risk_alert, reachable, ben
) -> None:
    notify_raised_alerts()
    page = as_user(ben).get("/alerts/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-inbox-url="/api/alerts/inbox"' in html and 'data-last-seq="1"' in html
    assert re.search(r'<tr data-seq="1"[^>]*>.*?Ada Test', html, re.S)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert any('src="/static/safety/inbox.js"' in attrs for attrs, _ in scripts)
    assert all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert 'aria-live="polite"' in html
    assert finders.find("safety/inbox.js") is not None


def test_the_inbox_script_fetches_after_the_last_number_and_writes_text_only() -> None:
    paths = [finders.find(f"safety/{name}") for name in ("inbox.js", "inbox_stream.js")]
    assert all(isinstance(path, str) for path in paths)
    script = "".join(Path(str(path)).read_text(encoding="utf-8") for path in paths)
    assert "after_seq=" in script and "last_seq" in script
    assert "innerHTML" not in script and "eval(" not in script


def test_one_alert_page_with_its_timeline_and_the_acknowledge_form(
    as_user, risk_alert, reachable, ben
) -> None:
    notify_raised_alerts()
    html = as_user(ben).get(f"/alerts/{risk_alert.id}/").content.decode()
    assert "Ada Test" in html and "born 1990" in html and "Team North" in html
    assert f'action="/alerts/{risk_alert.id}/acknowledge"' in html
    # Step 1 in words (never the code team_clinicians) and its e-mail to Ben.
    assert "the patient&#x27;s clinicians" in html and "ben" in html


def test_acknowledge_action_and_close_through_the_forms(as_user, risk_alert, ben, sam) -> None:
    client = as_user(ben)
    base = f"/alerts/{risk_alert.id}"
    assert client.post(f"{base}/acknowledge").status_code == 302
    response = client.post(f"{base}/action", {"outcome": "contacted_patient", "note": "Called"})
    assert response.status_code == 302
    assert as_user(sam).post(f"{base}/close").status_code == 302
    risk_alert.refresh_from_db()
    assert (risk_alert.status, risk_alert.outcome) == (AlertStatus.CLOSED, "contacted_patient")


def test_an_illegal_move_through_a_form_shows_the_reason(as_user, risk_alert, ben) -> None:
    response = as_user(ben).post(f"/alerts/{risk_alert.id}/close", follow=True)
    assert "raised cannot become closed" in response.content.decode()
    risk_alert.refresh_from_db()
    assert risk_alert.status == AlertStatus.RAISED


def test_outsider_gets_404_for_every_page_of_another_teams_alert(as_user, risk_alert, dana):
    client = as_user(dana)
    base = f"/alerts/{risk_alert.id}"
    assert client.get(f"{base}/").status_code == 404
    assert client.post(f"{base}/acknowledge").status_code == 404
    assert (
        client.post(f"{base}/action", {"outcome": "false_positive", "note": "x"}).status_code == 404
    )
    assert client.post(f"{base}/close").status_code == 404
    assert "Ada Test" not in client.get("/alerts/").content.decode()
    risk_alert.refresh_from_db()
    assert risk_alert.status == AlertStatus.RAISED


def test_patients_have_no_alert_pages(as_user, ada, risk_alert) -> None:
    assert as_user(ada).get("/alerts/").status_code == 404
    assert as_user(ada).get(f"/alerts/{risk_alert.id}/").status_code == 404
    assert as_user(ada).get("/alerts/raise/").status_code == 404


def test_a_clinician_raises_an_alert_with_the_form(as_user, ada_patient, ben) -> None:
    form = as_user(ben).get("/alerts/raise/", {"patient": str(ada_patient.id)}).content.decode()
    assert "Ada Test" in form and 'name="client_id"' in form
    body = {
        "patient": str(ada_patient.id),
        "severity": "high",
        "reason": "Disclosed a plan in session",
        "client_id": str(uuid.uuid4()),
    }
    response = as_user(ben).post("/alerts/raise/", body)
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/alerts/{alert.id}/"
    as_user(ben).post("/alerts/raise/", body)  # double submit
    assert Alert.objects.count() == 1


def test_outsider_cannot_raise_for_a_patient_of_another_team(as_user, ada_patient, dana) -> None:
    body = {
        "patient": str(ada_patient.id),
        "severity": "high",
        "reason": "x",
        "client_id": str(uuid.uuid4()),
    }
    form = as_user(dana).get("/alerts/raise/").content.decode()
    assert "Ada Test" not in form
    response = as_user(dana).post("/alerts/raise/", body)
    assert response.status_code == 200 and not Alert.objects.exists()


def test_the_fallback_banner_is_shown_to_staff_of_the_service(as_user, risk_alert, dana) -> None:
    fire_fallback(Alert.objects.select_related("patient").get(id=risk_alert.id), reason="x")
    html = as_user(dana).get("/alerts/").content.decode()
    assert "Undeliverable crisis alert in Team North" in html and 'role="alert"' in html
    assert "Ada Test" not in html
