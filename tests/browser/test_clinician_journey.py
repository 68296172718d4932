"""The clinician workspace walked end to end in Chromium, as the people who use it (#13 acceptance).

1. A care manager signs in with a one-time code, opens the registry, opens the patient who needs
   attention first, reads her chart (the SVG and its table), acknowledges her alert, records what
   was done and closes it, and moves her to another step of care.
2. The consultant psychiatrist signs off a case review of the same patient.
3. The service lead opens the service dashboard and downloads its CSV.
4. The service admin adds a patient with an invitation; the new patient chooses a password
   through the invitation link and signs in.

Every step goes through the real pages and forms (no shortcuts through the database); the
database is read only to check what the pages did. Screenshots of each step are kept in
var/ci-artifacts/screenshots/ (CI artefacts).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.support import check_axe, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _as(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    return context.new_page()


@pytest.fixture
def team_with_a_risk_alert(service, north, ada, ada_patient, ben, sam, cleo):
    """Ada (Team North) answered PHQ-9 question 9 and has an open alert; Bea, in the same team,
    is stable. Ben is their care manager, Sam the team's consultant, Cleo the service admin."""
    from careloop.care.models import TreatmentEpisode
    from careloop.care.services import register_patient
    from careloop.care.types import Gender
    from careloop.core import clock
    from conftest import fill_patient_record, submit_answers

    started = clock.now().date() - timedelta(weeks=3)
    TreatmentEpisode.objects.create(
        service=service, patient=ada_patient, referred_on=started, started_on=started
    )
    fill_patient_record(ada_patient, ada, ben)
    bea = register_patient(
        actor=cleo,
        care_team=north,
        display_name="Bea Stable",
        birth_year=1990,
        gender=Gender.FEMALE,
        source="browser-test",
    )
    submit_answers(bea, ben, "phq9", [0] * 9)
    return SimpleNamespace(ada=ada_patient, bea=bea, ben=ben, sam=sam, cleo=cleo)


def test_care_manager_runs_the_loop_for_the_patient_who_needs_attention_first(
    live_server, browser, team_with_a_risk_alert
) -> None:
    from careloop.care.models import SteppedCareChange
    from careloop.care.types import CareStep
    from careloop.safety.models import Alert
    from careloop.safety.types import AlertOutcome, AlertStatus

    team = team_with_a_risk_alert
    page = _as(browser)
    sign_in(page, live_server.url, team.ben)

    # The registry: the patient with an open alert comes first.
    page.goto(f"{live_server.url}/caseload/")
    first = page.locator("main a[href^='/patients/']").first
    assert first.inner_text().strip() == team.ada.display_name
    screenshot(page, "journey-1-registry")
    first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/patients/{team.ada.id}/")

    # Her chart: a server-drawn SVG with a text alternative, and the same data as a table.
    chart = page.locator("#charts svg[role='img']").first
    assert chart.count() == 1 and "PHQ-9" in (chart.locator("title").first.text_content() or "")
    page.locator("#charts details summary").first.click()
    table = page.locator("#charts details table").first
    assert table.is_visible() and "PHQ-9" in table.locator("caption").inner_text()
    assert table.locator("tbody tr").count() >= 1
    screenshot(page, "journey-2-chart")

    # Her alert: acknowledge, record what was done, close.
    alert_link = page.locator("#alerts a[href^='/alerts/']").first
    alert_id = (alert_link.get_attribute("href") or "").strip("/").split("/")[-1]
    alert_link.click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Acknowledge: I am taking this on").click()
    page.wait_for_load_state()
    page.select_option("#id_outcome", AlertOutcome.CONTACTED_PATIENT.value)
    page.fill("#id_note", "Phoned her; she is safe tonight and we reviewed her safety plan.")
    page.get_by_role("button", name="Record action").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Close alert").click()
    page.wait_for_load_state()
    assert "This alert is closed" in page.inner_text("main")
    screenshot(page, "journey-3-alert-closed")
    alert = Alert.objects.get(id=alert_id, patient=team.ada)
    assert alert.status == AlertStatus.CLOSED
    assert (
        alert.acknowledged_by_id == team.ben.id and alert.outcome == AlertOutcome.CONTACTED_PATIENT
    )

    # Back to her chart, and one step up.
    page.goto(f"{live_server.url}/patients/{team.ada.id}/")
    page.check(f"#step-{CareStep.HIGH_INTENSITY.value}")
    page.fill("#step-reason", "Risk answer this week and little change so far: high-intensity CBT.")
    page.get_by_role("button", name="Save the step").click()
    page.wait_for_load_state()
    assert page.url.split("#")[0].endswith(f"/patients/{team.ada.id}/")
    assert CareStep.HIGH_INTENSITY.label in page.locator("#stepped-care").inner_text()
    screenshot(page, "journey-4-stepped-care")
    check_axe(page, "journey-patient-page-after-changes")
    change = SteppedCareChange.objects.get(patient=team.ada)
    assert change.to_step == CareStep.HIGH_INTENSITY and change.changed_by_id == team.ben.id
    page.context.close()


def test_consultant_signs_off_a_case_review(live_server, browser, team_with_a_risk_alert) -> None:
    from careloop.audit.models import AuditEvent
    from careloop.audit.types import AuditAction

    team = team_with_a_risk_alert
    page = _as(browser)
    sign_in(page, live_server.url, team.sam)
    page.goto(f"{live_server.url}/supervision/")
    assert page.get_by_role("heading", level=1).count() == 1
    page.goto(f"{live_server.url}/supervision/patients/{team.ada.id}/")
    page.fill(
        "#review-note", "Reviewed with Ben: risk answer handled the same day; step up agreed."
    )
    page.check("#outcome-continue")
    page.get_by_role("button", name="Save the review").click()
    page.wait_for_load_state()
    reviews = page.locator("#case-reviews table")
    assert "Continue the current plan" in reviews.inner_text()
    screenshot(page, "journey-5-case-review")
    assert AuditEvent.objects.filter(action=AuditAction.CASE_REVIEW_SIGNED_OFF).count() == 1
    page.context.close()


def test_service_lead_opens_the_dashboard_and_downloads_its_csv(
    live_server, browser, team_with_a_risk_alert
) -> None:
    team = team_with_a_risk_alert
    page = _as(browser)
    sign_in(page, live_server.url, team.cleo)
    page.goto(f"{live_server.url}/service/")
    assert page.locator("main h1").count() == 1
    screenshot(page, "journey-6-dashboard")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download every figure (CSV)").click()
    download = downloading.value
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    assert rows, "the CSV has a row per measure and group"
    assert {"numerator", "denominator", "rate", "ci_low", "ci_high", "suppressed"} <= set(rows[0])
    page.context.close()


def test_admin_adds_a_patient_who_then_signs_in(live_server, browser, team_with_a_risk_alert):
    from careloop.care.models import Patient

    team = team_with_a_risk_alert
    admin = _as(browser)
    sign_in(admin, live_server.url, team.cleo)
    admin.goto(f"{live_server.url}/manage/patients/add/")
    admin.fill("#id_display_name", "Cal New")
    admin.fill("#id_username", "cal.new")
    admin.get_by_role("button", name="Add the patient").click()
    admin.wait_for_load_state()
    link = admin.locator("#invitation-link").get_attribute("href")
    assert link and "/accounts/invite/" in link
    screenshot(admin, "journey-7-invitation")
    admin.context.close()

    newcomer = _as(browser)
    newcomer.goto(link)
    newcomer.fill("#id_new_password1", "a long and new passphrase 47")
    newcomer.fill("#id_new_password2", "a long and new passphrase 47")
    newcomer.get_by_role("button", name="Set my password").click()
    newcomer.wait_for_load_state()
    sign_in(
        newcomer,
        live_server.url,
        SimpleNamespace(username="cal.new"),
        "a long and new passphrase 47",
    )
    newcomer.goto(f"{live_server.url}/")
    assert "/accounts/login/" not in newcomer.url
    screenshot(newcomer, "journey-8-new-patient-home")
    patient = Patient.objects.get(display_name="Cal New")
    assert patient.user is not None and patient.user.username == "cal.new"
    newcomer.context.close()
