"""Sign-in in a real browser (#13): the password and one-time-code pages pass axe at WCAG 2.2 AA,
and a clinician reaches the caseload through them."""

from __future__ import annotations

import pytest

from tests.browser.support import check_axe, sign_in


@pytest.mark.django_db(transaction=True)
def test_clinician_signs_in_with_password_and_one_time_code(live_server, page, ben, ada) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    check_axe(page, "sign-in")
    sign_in(page, live_server.url, ben)
    page.goto(f"{live_server.url}/caseload/")
    assert page.locator("h1").first.is_visible()
    check_axe(page, "caseload-smoke")
