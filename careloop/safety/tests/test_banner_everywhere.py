"""The fallback banner follows staff to every page (context processor + base template), names the
team and never the patient, and is never shown to patients."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careloop.safety.models import Alert, FallbackBanner
from careloop.safety.services.fallback import fire_fallback

HEADING = "Undeliverable crisis alert in Team North"


@pytest.fixture
def fired(risk_alert) -> Alert:
    alert = Alert.objects.select_related("patient").get(id=risk_alert.id)
    assert fire_fallback(alert, reason="all channels failed")
    return alert


def _pages(patient_id) -> list[str]:
    return [
        "/caseload/",
        f"/patients/{patient_id}/",
        "/messages/",
        f"/messages/patients/{patient_id}/",
        f"/journal/patients/{patient_id}/",
        "/alerts/",
    ]


def test_every_staff_page_shows_the_active_banner_once(fired, as_user, ben, ada_patient) -> None:
    client = as_user(ben)
    for path in _pages(ada_patient.id):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert html.count(HEADING) == 1, path
        assert 'role="alert"' in html, path


def test_staff_of_other_teams_and_safety_leads_see_it_too(fired, as_user, dana, sam) -> None:
    assert HEADING in as_user(dana).get("/caseload/").content.decode()
    assert HEADING in as_user(sam).get("/safety/crisis-resources/review/").content.decode()
    assert "Ada" not in as_user(dana).get("/caseload/").content.decode()


def test_patients_never_see_it(fired, as_user, ada) -> None:
    client = as_user(ada)
    for path in ("/", "/journal/", "/messages/", "/questionnaires/history/", "/safety/crisis/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Undeliverable crisis alert" not in response.content.decode(), path


def test_the_banner_goes_when_it_is_resolved(fired, as_user, ben, ada_patient) -> None:
    FallbackBanner.objects.filter(alert=fired).update(resolved_at=fired.raised_at)
    assert HEADING not in as_user(ben).get("/caseload/").content.decode()


def test_one_query_per_staff_page(fired, as_user, ben) -> None:
    client = as_user(ben)
    client.get("/caseload/")  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        client.get("/caseload/")
    banner_queries = [q for q in queries if "safety_fallbackbanner" in q["sql"]]
    assert len(banner_queries) == 1


def test_many_undeliverable_alerts_of_a_team_make_one_banner_with_the_count(
    fired, as_user, ben, ada, ada_patient
) -> None:
    from careloop.safety.tests.conftest import submit_risk

    for _ in range(2):
        second = submit_risk(ada, ada_patient, [1, 1, 1, 1, 1, 1, 1, 1, 3])
        assert fire_fallback(Alert.objects.select_related("patient").get(id=second.id), reason="x")
    html = as_user(ben).get("/caseload/").content.decode()
    assert html.count(HEADING) == 1
    assert "3 urgent safety alerts" in html
