"""The patient's crisis page, API and offline snapshot: emergency number first, only confirmed
verified lines, then the patient's own plan; available offline."""

from __future__ import annotations

import pytest

from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.safety.planning.models import CrisisResourceReview
from careloop.safety.planning.selectors import crisis_directory
from careloop.safety.planning.services import (
    confirm_crisis_line,
    save_safety_plan,
)


def _confirm(reviewer, entry_id: str) -> None:
    line = crisis_directory().line(entry_id)
    assert line is not None
    confirm_crisis_line(actor=reviewer, entry_id=entry_id, seen_entry_sha256=line.content_sha256)


def _force_confirmation(service, reviewer, entry_id: str) -> None:
    """A confirmation row written behind the service's back (e.g. by a bad data migration)."""
    line = crisis_directory().line(entry_id)
    assert line is not None
    CrisisResourceReview.objects.create(
        service=service,
        country_code=line.country,
        entry_id=line.id,
        entry_sha256=line.content_sha256,
        data_version="x",
        data_sha256="x" * 64,
        confirmed_by=reviewer,
        confirmed_at="2026-01-01T00:00:00Z",
    )


def test_before_review_the_page_shows_the_directorys_checked_lines_not_as_the_services(
    as_user, ada, ada_patient
) -> None:
    # #14: the page no longer shows only 999 until a safety lead confirms lines; the shipped
    # directory's verified lines follow the emergency number, dated, not as the service's own.
    page = as_user(ada).get("/safety/crisis/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index('href="tel:999"') < html.index('href="tel:116123"')
    assert "Checked by your care service" not in html
    assert "Helplines in United Kingdom" in html and "Checked on 25 November 2026." in html
    api = as_user(ada).get("/api/safety/crisis-resources").json()
    assert api["emergency"]["dial"] == ["999"]
    assert api["lines"] == [] and api["other_language_lines"] == []
    assert api["awaiting_review"] is True and "on the date shown" in api["message"]
    assert [line["id"] for line in api["directory_lines"]] == [
        "gb-samaritans",
        "gb-nhs-111-mental-health",
    ]
    assert api["directory_lines"][0]["verified_as_of"] == "2026-11-25"
    assert api["emergency"]["verified_as_of"] == "2026-11-25"


def test_after_review_emergency_number_comes_first_then_confirmed_lines_then_the_plan(
    as_user, ada, ada_patient, sam
) -> None:
    _confirm(sam, "gb-samaritans")
    save_safety_plan(
        ada_patient,
        actor=ada,
        base_version=0,
        sections={"people_to_ask_for_help": [{"text": "My sister", "phone": "07700 900123"}]},
    )
    html = as_user(ada).get("/safety/crisis/").content.decode()
    emergency, service_checked, samaritans, more, nhs_111, plan = (
        html.index('href="tel:999"'),
        html.index("Checked by your care service"),
        html.index('href="tel:116123"'),
        html.index("More helplines"),  # verified, not confirmed by this service: after
        html.index('href="tel:111"'),
        html.index("My sister"),
    )
    assert emergency < service_checked < samaritans < more < nhs_111 < plan
    assert 'href="tel:07700900123"' in html
    assert "<main" in html and "<h1>" in html and 'id="emergency-heading"' in html


def test_unverified_lines_are_never_shown_even_with_a_confirmation_row(
    as_user, ada, ada_patient, sam, service
) -> None:
    _force_confirmation(service, sam, "gb-shout")  # verified: false in the directory
    html = as_user(ada).get("/safety/crisis/").content.decode()
    assert "Shout" not in html and "85258" not in html
    snapshot = as_user(ada).get("/api/safety/offline-snapshot").json()
    assert "gb-shout" not in str(snapshot)


def test_another_services_confirmation_does_not_show_here(as_user, ada, ada_patient, olga) -> None:
    _confirm(olga, "gb-samaritans")  # Olga leads a different GB service
    html = as_user(ada).get("/safety/crisis/").content.decode()
    assert "Checked by your care service" not in html  # only the directory's dated lines


def test_country_with_unverified_emergency_number_gets_plain_words_not_a_number(
    as_user, ada, ada_patient, service
) -> None:
    service.country_code = "IE"
    service.save()
    html = as_user(ada).get("/safety/crisis/").content.decode()
    assert "call your local emergency number" in html.lower()
    assert "We do not have a checked emergency number for Ireland." in html
    assert "tel:112" not in html


def test_offline_snapshot_holds_crisis_resources_and_the_patients_own_plan(
    as_user, ada, ada_patient, sam
) -> None:
    _confirm(sam, "gb-nhs-111-mental-health")
    save_safety_plan(
        ada_patient, actor=ada, base_version=0, sections={"warning_signs": [{"text": "No sleep"}]}
    )
    response = as_user(ada).get("/api/safety/offline-snapshot")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"  # offline copy: Cache Storage
    body = response.json()
    assert body["crisis"]["emergency"]["number"] == "999"
    assert [line["id"] for line in body["crisis"]["lines"]] == ["gb-nhs-111-mental-health"]
    assert body["crisis"]["data_version"] == crisis_directory().version
    assert body["safety_plan"]["patient_id"] == str(ada_patient.id)
    assert body["safety_plan"]["version"] == 1
    warning = next(s for s in body["safety_plan"]["sections"] if s["key"] == "warning_signs")
    assert warning["items"] == [{"text": "No sleep", "phone": ""}]
    assert AuditEvent.objects.filter(
        action=AuditAction.SAFETY_PLAN_VIEWED, actor=ada, detail__via="snapshot"
    ).exists()


def test_snapshot_never_carries_another_patients_plan(as_user, ada, ada_patient, bob) -> None:
    save_safety_plan(
        ada_patient, actor=ada, base_version=0, sections={"warning_signs": [{"text": "Ada only"}]}
    )
    body = as_user(bob).get("/api/safety/offline-snapshot").json()
    assert body["safety_plan"]["version"] == 0
    assert "Ada only" not in str(body)


def test_crisis_page_may_be_kept_privately_for_offline_use(as_user, ada, ada_patient) -> None:
    response = as_user(ada).get("/safety/crisis/")
    assert response["Cache-Control"] == "no-store"  # offline copy: Cache Storage
    html = response.content.decode()
    assert 'data-sw-url="/safety/sw.js"' in html and 'data-scope="/safety/"' in html


def test_service_worker_is_served_as_javascript_and_caches_the_crisis_page(client, db) -> None:
    response = client.get("/safety/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert '"/safety/crisis/"' in body and '"/api/safety/offline-snapshot"' in body
    assert "caches.delete(CACHE)" in body  # signed out → the stored plan is wiped


@pytest.mark.parametrize("who", ["ben", "sam", "dana", "cleo"])
def test_the_api_is_for_patients_only_the_page_for_everyone(request, as_user, who) -> None:
    client = as_user(request.getfixturevalue(who))
    page = client.get("/safety/crisis/")
    assert page.status_code == 200 and "My safety plan" not in page.content.decode()
    assert client.get("/api/safety/crisis-resources").status_code == 404
    assert client.get("/api/safety/offline-snapshot").status_code == 404


def test_anonymous_gets_the_page_but_a_401_from_the_api(client, db) -> None:
    assert client.get("/safety/crisis/").status_code == 200
    assert client.get("/api/safety/offline-snapshot").status_code == 401
