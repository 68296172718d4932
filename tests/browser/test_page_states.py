"""Clinician pages after an action pass axe-core too (#13): a form refused with its errors, a
confirmation message after a redirect, an acknowledged alert, a filter that matches nobody.
These states add markup the first view does not have (error summaries, status messages)."""

from __future__ import annotations

import pytest

from tests.browser.support import DESKTOP, NARROWEST, PHONE, check_axe, check_reflow, sign_in


def _check(page, name: str) -> None:
    problems: list[str] = []
    for size, label in ((DESKTOP, "1280"), (PHONE, "375")):
        page.set_viewport_size(size)
        try:
            check_axe(page, f"{name}-{label}")
        except AssertionError as failure:
            problems.append(str(failure))
    page.set_viewport_size(NARROWEST)
    try:
        check_reflow(page, f"{name}-320")
    except AssertionError as failure:
        problems.append(str(failure))
    page.set_viewport_size(DESKTOP)
    assert not problems, "\n\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_emergency_access_refused_for_a_wrong_reference(live_server, page, dana, ada) -> None:
    sign_in(page, live_server.url, dana)
    page.goto(f"{live_server.url}/me/access/emergency/")
    page.fill("#patient_id", "not-a-reference")
    page.fill("#reason", "Crisis call out of hours; the team is away")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator("#break-glass-error").is_visible()
    _check(page, "state-emergency-access-refused")


@pytest.mark.django_db(transaction=True)
def test_alert_acknowledged(live_server, page, ben, ada, ada_patient) -> None:
    from careloop.safety.models import Alert
    from conftest import submit_answers

    submit_answers(ada_patient, ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2])
    alert = Alert.objects.get(patient=ada_patient)
    sign_in(page, live_server.url, ben)
    page.goto(f"{live_server.url}/alerts/{alert.id}/")
    page.get_by_role("button", name="Acknowledge: I am taking this on").click()
    page.wait_for_load_state()
    _check(page, "state-alert-acknowledged")


@pytest.mark.django_db(transaction=True)
def test_caseload_filter_that_matches_nobody(live_server, page, ben, ada) -> None:
    sign_in(page, live_server.url, ben)
    page.goto(f"{live_server.url}/caseload/?q=nobody-by-this-name")
    _check(page, "state-caseload-no-match")


@pytest.mark.django_db(transaction=True)
def test_manage_team_created_and_refused(live_server, page, cleo) -> None:
    from django.urls import NoReverseMatch, reverse

    try:
        teams = reverse("manage:teams")
    except NoReverseMatch:
        pytest.skip("the web administration's teams page is not in the URL configuration (yet)")
    sign_in(page, live_server.url, cleo)
    page.goto(live_server.url + teams)
    page.get_by_role("button", name="Create the team").click()  # empty name: refused
    page.wait_for_load_state()
    _check(page, "state-manage-team-refused")
    page.get_by_label("Team name").fill("Team East")
    page.get_by_role("button", name="Create the team").click()
    page.wait_for_load_state()
    _check(page, "state-manage-team-created")
