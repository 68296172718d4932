"""The walking skeleton over real HTTP (a live server on loopback, the `requests` client):
a patient submits a PHQ-9 with item 9 = 2 → it is scored and stored → an alert is raised in the
same transaction → her clinician sees it → the worker tells her clinician → an outsider
clinician of another team gets 404 for the patient and the alert."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from careloop.accounts import mfa
from careloop.core import worker
from careloop.notifications.types import Channel
from careloop.safety.models import Alert, AlertDelivery, InboxEntry
from careloop.safety.types import AlertStatus, DeliveryState

PHQ9_ITEM9_TWO = [1, 2, 1, 1, 0, 1, 1, 0, 2]


def _sign_in(base: str, username: str, password: str, user=None) -> requests.Session:
    """Sign in through the real forms: password, then (for staff) the current TOTP code."""
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10)
    assert page.status_code == 200
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    assert response.status_code == 200
    if user is not None and user.is_staff_role:
        assert response.url.endswith("/accounts/verify/")
        code = mfa.current_code(mfa.confirmed_device(user))
        response = session.post(
            f"{base}/accounts/verify/",
            data={"code": code, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": f"{base}/accounts/verify/"},
            timeout=10,
        )
        assert response.status_code == 200, response.text[:500]
    return session


def _api_post(
    session: requests.Session, base: str, path: str, body: dict[str, object]
) -> requests.Response:
    return session.post(
        f"{base}{path}",
        json=body,
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{base}/"},
        timeout=10,
    )


@pytest.mark.django_db(transaction=True)
def test_item9_positive_submission_reaches_the_clinician_and_not_an_outsider(
    live_server, ada, ada_patient, ben, sam, dana
) -> None:
    from conftest import PASSWORD

    base = live_server.url
    ben.email = "ben@team-north.example"  # staff are reachable by e-mail (recording sender)
    ben.save(update_fields=["email"])

    # The patient sees that her PHQ-9 is due and submits it through the JSON API.
    patient = _sign_in(base, "ada", PASSWORD, ada)
    home = patient.get(f"{base}/", timeout=10)
    assert "/questionnaires/phq9/" in home.text
    client_id = str(uuid.uuid4())
    submitted = _api_post(
        patient,
        base,
        "/api/assessments",
        {"instrument": "phq9", "answers": PHQ9_ITEM9_TWO, "client_id": client_id},
    )
    assert submitted.status_code == 201, submitted.text
    result = submitted.json()
    assert result["total"] == sum(PHQ9_ITEM9_TWO)
    assert result["band"] == "mild"
    assert [flag["code"] for flag in result["risk_flags"]] == ["phq9_item9_positive"]

    # A re-sent copy (e.g. from an offline queue) is stored once.
    again = _api_post(
        patient,
        base,
        "/api/assessments",
        {"instrument": "phq9", "answers": PHQ9_ITEM9_TWO, "client_id": client_id},
    )
    assert again.status_code == 200
    assert again.json()["id"] == result["id"]
    alert = Alert.objects.get(patient=ada_patient)
    assert alert.assessment_id == uuid.UUID(result["id"])
    assert alert.evidence == {
        "instrument": result["instrument_version"],
        "flag": "phq9_item9_positive",
        "item": "9",
        "answer": 2,
    }

    # The clinician sees the alert, in the page and the API, and the patient in his caseload.
    clinician = _sign_in(base, "ben", PASSWORD, ben)
    alerts_page = clinician.get(f"{base}/alerts/", timeout=10)
    assert alerts_page.status_code == 200
    assert "Ada Test" in alerts_page.text
    api_alerts = clinician.get(f"{base}/api/alerts", timeout=10).json()
    assert [a["id"] for a in api_alerts] == [str(alert.id)]
    caseload = clinician.get(f"{base}/caseload/", timeout=10)
    assert re.search(r"Ada Test.*?<span class=\"badge\">1 open alert</span>", caseload.text, re.S)

    # The worker tells the first tier of the team's escalation policy (her clinician, Ben), in his
    # in-app inbox and by e-mail; nobody outside her team hears of it.
    worker.run_once()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NOTIFIED
    inbox = set(
        InboxEntry.objects.filter(alert=alert).values_list("recipient__username", flat=True)
    )
    assert inbox == {"ben"}
    emailed = AlertDelivery.objects.filter(alert=alert, channel=Channel.EMAIL)
    assert [(d.recipient.username, d.state) for d in emailed] == [("ben", DeliveryState.DELIVERED)]

    # The outsider clinician of another team gets 404 for the patient and for the alert.
    outsider = _sign_in(base, "dana", PASSWORD, dana)
    assert outsider.get(f"{base}/patients/{ada_patient.id}/", timeout=10).status_code == 404
    assert outsider.get(f"{base}/api/alerts/{alert.id}", timeout=10).status_code == 404
    history = outsider.get(f"{base}/api/patients/{ada_patient.id}/assessments", timeout=10)
    assert history.status_code == 404
    assert outsider.get(f"{base}/api/alerts", timeout=10).json() == []
    assert "Ada Test" not in outsider.get(f"{base}/caseload/", timeout=10).text
