"""#14 item 1, Help first, in a real browser: "Get help now" is on screen at 320 CSS px on every
kind of page (signed out, a patient's, a clinician's) without scrolling either way, and the public
crisis page still opens with the network off once it has been visited (its service worker)."""

from __future__ import annotations

import pytest

from tests.browser.support import (
    DESKTOP,
    NARROWEST,
    PHONE,
    check_axe,
    has_no_horizontal_scroll,
    screenshot,
    sign_in,
)


def _help_link_on_screen(page, name: str) -> None:
    page.set_viewport_size(NARROWEST)
    screenshot(page, f"help-first-{name}-320")
    link = page.locator("header a.help-now")
    assert link.count() == 1, f"{name}: no 'Get help now' link in the header"
    assert link.inner_text().strip() == "Get help now"
    box = link.bounding_box()
    assert box is not None, f"{name}: 'Get help now' is not displayed"
    width, height = NARROWEST["width"], NARROWEST["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{name}: off-screen sideways {box}"
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{name}: below the fold {box}"
    assert box["height"] >= 44, f"{name}: target only {box['height']} px tall"
    assert page.evaluate("window.scrollY") == 0
    assert has_no_horizontal_scroll(page), f"{name}: the page scrolls sideways at 320 px"


@pytest.mark.django_db(transaction=True)
def test_help_link_at_320_px_signed_out(live_server, page, service) -> None:
    for path in ("/accounts/login/", "/safety/crisis/", "/no-such-page/"):
        page.goto(f"{live_server.url}{path}")
        _help_link_on_screen(page, path.strip("/").replace("/", "-") or "home")


@pytest.mark.django_db(transaction=True)
def test_help_link_at_320_px_for_a_patient(live_server, page, ada, ada_patient) -> None:
    sign_in(page, live_server.url, ada)
    for path in ("/", "/safety/crisis/"):
        page.goto(f"{live_server.url}{path}")
        _help_link_on_screen(page, f"patient{path.replace('/', '-')}")


@pytest.mark.django_db(transaction=True)
def test_help_link_at_320_px_for_a_clinician(live_server, page, ben, ada_patient) -> None:
    sign_in(page, live_server.url, ben)
    page.goto(f"{live_server.url}/caseload/")
    _help_link_on_screen(page, "clinician-caseload")


@pytest.mark.django_db(transaction=True)
def test_the_public_crisis_page_passes_axe_and_reflows(live_server, page, service) -> None:
    page.goto(f"{live_server.url}/safety/crisis/?country=GB")
    for size, label in ((DESKTOP, "1280"), (PHONE, "375")):
        page.set_viewport_size(size)
        check_axe(page, f"help-first-crisis-{label}")
    page.set_viewport_size(NARROWEST)
    assert has_no_horizontal_scroll(page)
    # The chooser works without JavaScript: a plain GET form.
    page.select_option("#help-country", "AU")
    page.locator("form.country-chooser button[type=submit]").click()
    page.wait_for_load_state()
    assert "country=AU" in page.url
    assert page.locator('main a[href="tel:000"]').count() == 1
    assert page.locator('main a[href="sms:0477131114"]').count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_crisis_page_opens_offline_after_one_visit(live_server, context, service) -> None:
    page = context.new_page()
    page.goto(f"{live_server.url}/safety/crisis/?country=GB")
    # The page registers its service worker, which stores the page for offline use.
    page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)"
    )
    page.wait_for_function(
        "caches.match('/safety/crisis/', {ignoreVary: true}).then(r => !!r)", timeout=15_000
    )
    context.set_offline(True)
    try:
        page.reload()
        assert page.locator("h1").inner_text() == "Get help now"
        assert page.locator('main a[href="tel:999"]').count() == 1
        assert page.locator("header a.help-now").is_visible()
    finally:
        context.set_offline(False)
