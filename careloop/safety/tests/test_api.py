"""The safety API: status codes, payloads, and an outsider test for every endpoint."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import pytest
from django.test import Client

from careloop.safety.models import Alert, EscalationStep
from careloop.safety.services import escalate_overdue_alerts, notify_raised_alerts
from careloop.safety.services.fallback import fire_fallback
from careloop.safety.types import AlertStatus

JSON = "application/json"


def _post(client: Client, path: str, body: Mapping[str, object] | None = None):
    return client.post(path, dict(body or {}), content_type=JSON)


def test_clinician_lists_and_reads_alerts_of_their_team(as_user, risk_alert, ben) -> None:
    [row] = as_user(ben).get("/api/alerts").json()
    assert row["id"] == str(risk_alert.id) and row["patient_name"] == "Ada Test"
    assert row["rule"] == "instrument_risk_item@1.0.0" and row["source"] == "instrument_item"
    detail = as_user(ben).get(f"/api/alerts/{risk_alert.id}").json()
    assert detail["status"] == "raised" and detail["evidence"]["answer"] == 2
    assert as_user(ben).get("/api/alerts", {"status": "raised"}).json()[0]["id"] == row["id"]
    assert as_user(ben).get("/api/alerts", {"status": "closed"}).json() == []
    assert as_user(ben).get("/api/alerts", {"status": "bogus"}).status_code == 422


def test_outsider_sees_no_alert_of_another_team(as_user, risk_alert, dana) -> None:
    assert as_user(dana).get("/api/alerts").json() == []
    assert as_user(dana).get(f"/api/alerts/{risk_alert.id}").status_code == 404


def test_anonymous_callers_are_refused(risk_alert) -> None:
    client = Client()
    assert client.get("/api/alerts").status_code == 401
    assert client.get("/api/alerts/inbox").status_code == 401
    assert _post(client, f"/api/alerts/{risk_alert.id}/acknowledge").status_code == 401


def test_the_lifecycle_over_the_api(as_user, risk_alert, ben, sam) -> None:
    base = f"/api/alerts/{risk_alert.id}"
    acknowledged = _post(as_user(ben), f"{base}/acknowledge")
    assert acknowledged.status_code == 200 and acknowledged.json()["status"] == "acknowledged"
    assert _post(as_user(ben), f"{base}/acknowledge").status_code == 409
    body = {"outcome": "safety_plan_reviewed", "note": "Reviewed plan by phone"}
    actioned = _post(as_user(ben), f"{base}/action", body)
    assert actioned.status_code == 200 and actioned.json()["outcome"] == "safety_plan_reviewed"
    closed = _post(as_user(sam), f"{base}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_illegal_and_invalid_moves_get_clear_4xx(as_user, risk_alert, ben) -> None:
    base = f"/api/alerts/{risk_alert.id}"
    early = _post(as_user(ben), f"{base}/action", {"outcome": "urgent_referral", "note": "x"})
    assert early.status_code == 409
    assert "raised cannot become actioned" in early.json()["detail"]
    assert _post(as_user(ben), f"{base}/close").status_code == 409
    _post(as_user(ben), f"{base}/acknowledge")
    assert (
        _post(as_user(ben), f"{base}/action", {"outcome": "hugs", "note": "x"}).status_code == 422
    )
    assert _post(as_user(ben), f"{base}/action", {"outcome": "urgent_referral"}).status_code == 422


def test_a_false_positive_cannot_be_closed_by_the_same_clinician(as_user, risk_alert, ben, sam):
    base = f"/api/alerts/{risk_alert.id}"
    _post(as_user(ben), f"{base}/acknowledge")
    _post(as_user(ben), f"{base}/action", {"outcome": "false_positive", "note": "Wrong patient"})
    refused = _post(as_user(ben), f"{base}/close")
    assert refused.status_code == 403 and "second clinician" in refused.json()["detail"]
    assert _post(as_user(sam), f"{base}/close").status_code == 200


@pytest.mark.parametrize("move", ["acknowledge", "action", "close"])
def test_outsider_cannot_move_another_teams_alert_and_escalation_goes_on(
    clock, as_user, risk_alert, reachable, ben, dana, move
) -> None:
    notify_raised_alerts()
    body = {"outcome": "false_positive", "note": "not mine"} if move == "action" else {}
    response = _post(as_user(dana), f"/api/alerts/{risk_alert.id}/{move}", body)
    assert response.status_code == 404
    risk_alert.refresh_from_db()
    assert risk_alert.status == AlertStatus.NOTIFIED
    clock.advance(minutes=15)
    assert escalate_overdue_alerts() == 1
    assert EscalationStep.objects.filter(alert=risk_alert, number=2).exists()


def test_a_clinician_raises_an_alert_by_hand(as_user, ada_patient, ben) -> None:
    body = {
        "patient_id": str(ada_patient.id),
        "severity": "moderate",
        "reason": "Said on the phone she feels unsafe tonight",
        "client_id": str(uuid.uuid4()),
    }
    created = _post(as_user(ben), "/api/alerts", body)
    assert created.status_code == 201
    assert created.json()["source"] == "clinician" and created.json()["severity"] == "moderate"
    assert "feels unsafe" in created.json()["reason"]
    again = _post(as_user(ben), "/api/alerts", body)
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert Alert.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"severity": "urgent", "reason": "x"},
        {"severity": "high", "reason": ""},
        {"severity": "high"},
    ],
)
def test_a_hand_raised_alert_with_bad_input_is_refused(as_user, ada_patient, ben, body):
    response = _post(as_user(ben), "/api/alerts", {"patient_id": str(ada_patient.id), **body})
    assert response.status_code == 422 and not Alert.objects.exists()


def test_outsider_and_patient_cannot_raise_an_alert_for_someone_else(
    as_user, ada, ada_patient, dana
) -> None:
    body = {"patient_id": str(ada_patient.id), "severity": "high", "reason": "x"}
    assert _post(as_user(dana), "/api/alerts", body).status_code == 404
    assert _post(as_user(ada), "/api/alerts", body).status_code == 404
    assert not Alert.objects.exists()


def test_banners_name_the_team_never_the_patient(as_user, risk_alert, ben, dana, ada) -> None:
    risk_alert = Alert.objects.select_related("patient").get(id=risk_alert.id)
    fire_fallback(risk_alert, reason="all channels failed")
    [banner] = as_user(dana).get("/api/alerts/banners").json()  # service-wide, by design
    assert banner["team"] == "Team North" and banner["reason"] == "all channels failed"
    assert "Ada" not in str(banner) and str(risk_alert.id) not in str(banner)
    assert as_user(ben).get("/api/alerts/banners").json()[0]["id"] == banner["id"]
    assert as_user(ada).get("/api/alerts/banners").json() == []  # patients see no staff banner


def test_team_members_read_the_policy_and_supervisors_change_it(as_user, ben, sam, north):
    path = f"/api/escalation-policies/{north.id}"
    default = as_user(ben).get(path).json()
    assert default["version"] == 0
    assert [t["target"] for t in default["tiers"]] == ["team_clinicians", "on_call", "service_lead"]
    assert {t["acknowledge_within_seconds"] for t in default["tiers"]} == {900}
    body = {
        "tiers": [
            {"target": "team_clinicians", "acknowledge_within_seconds": 600},
            {"target": "on_call", "acknowledge_within_seconds": 300, "channels": ["sms"]},
        ],
        "service_lead_id": str(sam.id),
    }
    assert as_user(ben).put(path, body, content_type=JSON).status_code == 403
    changed = as_user(sam).put(path, body, content_type=JSON)
    assert changed.status_code == 200
    assert changed.json()["version"] == 2 and changed.json()["changed_by"] == "sam"
    assert changed.json()["tiers"][1]["channels"] == ["sms"]
    bad = {"tiers": [{"target": "on_call", "acknowledge_within_seconds": 1}]}
    assert as_user(sam).put(path, bad, content_type=JSON).status_code == 422
    stranger = {**body, "service_lead_id": str(uuid.uuid4())}
    assert as_user(sam).put(path, stranger, content_type=JSON).status_code == 422


def test_outsider_cannot_read_or_change_another_teams_policy(as_user, dana, north) -> None:
    path = f"/api/escalation-policies/{north.id}"
    assert as_user(dana).get(path).status_code == 404
    body = {"tiers": [{"target": "on_call", "acknowledge_within_seconds": 60}]}
    assert as_user(dana).put(path, body, content_type=JSON).status_code == 404


def test_supervisors_keep_the_on_call_rota(as_user, ben, sam, dana, north) -> None:
    path = f"/api/on-call/{north.id}"
    shift = {
        "user_id": str(ben.id),
        "starts_at": "2026-12-01T18:00:00Z",
        "ends_at": "2026-12-02T08:00:00Z",
    }
    assert _post(as_user(ben), path, shift).status_code == 403
    created = _post(as_user(sam), path, shift)
    assert created.status_code == 201 and created.json()["username"] == "ben"
    assert [s["id"] for s in as_user(ben).get(path).json()] == [created.json()["id"]]
    backwards = {**shift, "ends_at": "2026-12-01T17:00:00Z"}
    assert _post(as_user(sam), path, backwards).status_code == 422
    outsider_on_call = {**shift, "user_id": str(dana.id)}
    assert _post(as_user(sam), path, outsider_on_call).status_code == 422


def test_outsider_cannot_read_or_change_another_teams_rota(as_user, ben, dana, north) -> None:
    path = f"/api/on-call/{north.id}"
    assert as_user(dana).get(path).status_code == 404
    shift = {
        "user_id": str(dana.id),
        "starts_at": "2026-12-01T18:00:00Z",
        "ends_at": "2026-12-02T08:00:00Z",
    }
    assert _post(as_user(dana), path, shift).status_code == 404
