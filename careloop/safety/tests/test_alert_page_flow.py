"""The alert page guides a clinician through acknowledge -> record what was done -> close: one
current step with its form, plain words (no rule codes or raw values outside "Technical
details"), clear errors that keep what was typed, each step audited, and 404 to outsiders."""

from __future__ import annotations

import re
from datetime import timedelta

from careloop.audit.models import AuditEvent
from careloop.safety.services import notify_raised_alerts
from careloop.safety.types import AlertStatus

CURRENT = re.compile(
    r'<li class="flow-step current" aria-current="step">(.*?)(?=<li class="flow-step|</ol>)', re.S
)


def current_step(html: str) -> str:
    found = CURRENT.findall(html)
    assert len(found) <= 1, "at most one current step"
    return found[0] if found else ""


def visible_text(html: str) -> str:
    """The page without its Technical details block (where codes belong)."""
    return re.sub(r'<details class="technical">.*?</details>', "", html, flags=re.S)


def test_the_flow_in_order_with_one_current_step_and_each_step_audited(
    as_user, risk_alert, reachable, ben, sam
) -> None:
    notify_raised_alerts()
    client = as_user(ben)
    url = f"/alerts/{risk_alert.id}/"

    html = client.get(url).content.decode()
    step = current_step(html)
    assert "Acknowledge" in step and f'action="{url}acknowledge"' in step
    assert f'action="{url}action"' not in html and f'action="{url}close"' not in html

    response = client.post(f"{url}acknowledge", follow=True)
    html = response.content.decode()
    assert "escalation has stopped" in html
    step = current_step(html)
    assert f'action="{url}action"' in step and 'name="note"' in step
    assert '<option value="" selected>Choose what was done</option>' in step  # no default outcome
    assert f'action="{url}acknowledge"' not in html
    assert "Escalation stopped." in html and "Taken on by ben" in html

    html = client.post(
        f"{url}action",
        {"outcome": "contacted_patient", "note": "Called Ada, safe tonight"},
        follow=True,
    ).content.decode()
    step = current_step(html)
    assert f'action="{url}close"' in step
    assert "Contacted the patient" in html and "Called Ada, safe tonight" in html

    html = as_user(sam).post(f"{url}close", follow=True).content.decode()
    assert current_step(html) == "" and "This alert is closed" in html
    assert html.count('class="flow-step done"') == 3

    risk_alert.refresh_from_db()
    assert risk_alert.status == AlertStatus.CLOSED
    actions = list(
        AuditEvent.objects.filter(object_id=str(risk_alert.id))
        .exclude(action="alert.viewed")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["alert.acknowledged", "alert.actioned", "alert.closed"]


def test_the_page_speaks_plain_words_and_keeps_codes_in_technical_details(
    as_user, risk_alert, reachable, ben
) -> None:
    notify_raised_alerts()
    html = as_user(ben).get(f"/alerts/{risk_alert.id}/").content.decode()
    plain = visible_text(html)
    assert "PHQ-9" in plain and "question 9" in plain and "answered" in plain
    assert "Open Ada Test's chart" in plain
    for code in (
        "instrument_risk_item",
        "@1.0.0",
        "team_clinicians",
        "phq9@",
        ">notified<",
        ">high<",
    ):
        assert code not in plain, code
    technical = re.search(r'<details class="technical">.*?</details>', html, re.S)
    assert technical and "instrument_risk_item" in technical.group(0)
    assert "<summary>Technical details</summary>" in technical.group(0)


def test_the_chart_is_one_click_away(as_user, risk_alert, ben) -> None:
    from django.urls import reverse

    chart = reverse("monitoring:patient", args=[risk_alert.patient_id])
    html = as_user(ben).get(f"/alerts/{risk_alert.id}/").content.decode()
    assert f'<a class="chart-link" href="{chart}">' in html


def test_the_escalation_clock_says_who_was_told_and_what_fires_next(
    as_user, risk_alert, reachable, ben, clock
) -> None:
    risk_alert.raised_at = clock.now()
    risk_alert.save(update_fields=["raised_at"])
    notify_raised_alerts()
    clock.advance(minutes=4)
    html = as_user(ben).get(f"/alerts/{risk_alert.id}/").content.decode()
    assert "4 min ago" in html and 'data-clock="since"' in html
    # The default chain: the team's clinicians first, then whoever is on call after 15 minutes.
    assert "step 2 of 3 tells whoever is on call for the team" in html
    assert "in 11 min" in html and 'data-clock="until"' in html
    told = re.search(r'<ol class="told">(.*?)</ol>', html, re.S)
    assert told and "the patient&#x27;s clinicians" in told.group(1)
    assert "Step 1" in told.group(1) and "ben" in told.group(1)
    due = (clock.now() + timedelta(minutes=11)).isoformat()[:16]
    assert due in html


def test_an_incomplete_action_is_refused_with_the_note_kept(as_user, risk_alert, ben) -> None:
    client = as_user(ben)
    url = f"/alerts/{risk_alert.id}/"
    client.post(f"{url}acknowledge")
    response = client.post(f"{url}action", {"outcome": "", "note": "Left a voicemail"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html and "Choose what was done" in html
    assert "Left a voicemail" in current_step(html)
    risk_alert.refresh_from_db()
    assert risk_alert.status == AlertStatus.ACKNOWLEDGED


def test_a_step_someone_else_already_took_is_explained_in_plain_words(
    as_user, risk_alert, ben, sam
) -> None:
    url = f"/alerts/{risk_alert.id}/"
    as_user(sam).post(f"{url}acknowledge")
    response = as_user(ben).post(f"{url}acknowledge")
    html = response.content.decode()
    assert response.status_code == 409
    assert "That step is not possible now" in html and "Taken on: record what was done" in html
    assert f'action="{url}action"' in current_step(html)  # the page moved on with the alert


def test_a_false_positive_waits_for_a_second_clinician(as_user, risk_alert, ben, sam) -> None:
    url = f"/alerts/{risk_alert.id}/"
    client = as_user(ben)
    client.post(f"{url}acknowledge")
    client.post(f"{url}action", {"outcome": "false_positive", "note": "Misread question"})
    html = client.get(url).content.decode()
    assert "a second clinician in the team must close it" in current_step(html)
    assert f'action="{url}close"' not in html
    response = client.post(f"{url}close")
    assert response.status_code == 409 and "ask a colleague" in response.content.decode()
    sam_html = as_user(sam).get(url).content.decode()
    assert f'action="{url}close"' in current_step(sam_html)


def test_an_outsider_gets_404_for_the_page_and_every_step(as_user, risk_alert, dana) -> None:
    client = as_user(dana)
    url = f"/alerts/{risk_alert.id}/"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}acknowledge").status_code == 404
    assert (
        client.post(f"{url}action", {"outcome": "false_positive", "note": "x"}).status_code == 404
    )
    assert client.post(f"{url}close").status_code == 404
    risk_alert.refresh_from_db()
    assert risk_alert.status == AlertStatus.RAISED


def test_patients_get_404(as_user, risk_alert, ada) -> None:
    assert as_user(ada).get(f"/alerts/{risk_alert.id}/").status_code == 404
    assert as_user(ada).get("/alerts/").status_code == 404


def test_text_alerts_say_where_the_words_came_from_without_internal_references() -> None:
    from careloop.safety.models import Alert
    from careloop.safety.presenters import headline_of, reason_of
    from careloop.safety.types import AlertSource

    alert = Alert(
        source=AlertSource.TEXT,
        rule_id="text_signal",
        rule_version="1.0.0",
        severity="high",
        evidence={"source": "message:0190-abc", "level": "high", "spans": [{"text": "end it"}]},
    )
    assert headline_of(alert) == "Message from the patient"
    reason = reason_of(alert)
    assert reason == "Crisis language (high concern) in a message from the patient: “end it”"
    assert "message:" not in reason and "text_signal" not in reason
    alert.evidence = {"source": "journal:0190-abc", "level": "moderate"}
    assert headline_of(alert) == "Journal entry the patient shared"
    assert "moderate concern" in reason_of(alert)
