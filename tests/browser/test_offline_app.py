"""The installable app in Chromium (#14 item 2, docs/patient-app/offline.md).

* The acceptance journey: a patient completes the PHQ-9 online; goes offline; completes a
  check-in and a journal entry (each shows "Waiting to send"); reloads while offline (the page
  still opens, from the service worker's store); goes online; the outbox sends both, and the
  server holds exactly one copy of each under the client ids the browser chose.
* Chromium's installability check passes (manifest + service worker), through DevTools.
* The crisis page opens signed out and offline from the app-wide worker (/sw.js): a visitor who
  opened any page once, never the crisis page itself.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.support import PHONE, screenshot, sign_in

WAITING = "#outbox-status [data-summary]"


def _outbox(page) -> list[dict[str, Any]]:
    return page.evaluate("CareloopOutbox.store.all()")


def _wait_for_worker(page) -> None:
    """The app-wide worker is active and controls the page. It installs on the first page, and
    claims the pages open when it activates; a page that began loading in between (the sign-in
    form's redirect) is controlled from its next load, as in any browser."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


@pytest.mark.django_db(transaction=True)
def test_offline_check_in_and_journal_are_sent_once_when_back_online(
    live_server, context, page, ada, ada_patient
) -> None:
    from careloop.assessments.models import Assessment
    from careloop.journal.models import JournalEntry
    from careloop.monitoring.models import CheckIn

    base = live_server.url
    page.set_viewport_size(PHONE)
    sign_in(page, base, ada)
    _wait_for_worker(page)

    # Online: the PHQ-9, answered through the page as usual.
    page.goto(f"{base}/questionnaires/phq9/")
    for question in page.locator("main form fieldset").all():
        question.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/questionnaires/results/**")
    assert Assessment.objects.filter(patient=ada_patient, instrument_id="phq9").count() == 1

    # The pages the patient uses offline were stored on the way (today's tasks warm them).
    page.goto(f"{base}/")
    page.wait_for_function(
        "() => caches.keys().then(async (keys) => {"
        " const names = keys.filter((k) => k.startsWith('careloop-pages-'));"
        " if (!names.length) return false;"
        " const paths = (await (await caches.open(names[0])).keys())"
        "   .map((r) => new URL(r.url).pathname);"
        " return paths.includes('/checkin/') && paths.includes('/journal/'); })",
        timeout=30_000,
    )

    page.goto(f"{base}/checkin/")
    context.set_offline(True)
    page.check("#mood-6")
    page.fill("#note", "A quiet day")
    page.get_by_role("button", name="Save my check-in").click()
    page.wait_for_selector(f"{WAITING}:has-text('Waiting to send (1)')")

    page.goto(f"{base}/journal/")  # offline: from the worker's store
    page.fill("#body", "Wrote this on the train with no signal.")
    page.get_by_role("button", name="Save entry").click()
    page.wait_for_selector(f"{WAITING}:has-text('Waiting to send (2)')")

    page.reload()  # still offline: the page opens and still shows what waits
    assert page.get_by_role("heading", name="My journal", level=1).is_visible()
    page.wait_for_selector(f"{WAITING}:has-text('Waiting to send (2)')")
    assert page.locator("#outbox-status").get_attribute("role") == "status"
    screenshot(page, "offline-waiting-to-send-375")

    waiting = _outbox(page)
    assert sorted(item["kind"] for item in waiting) == ["checkin", "journal"]
    assert CheckIn.objects.filter(patient=ada_patient).count() == 0
    assert JournalEntry.objects.filter(patient=ada_patient).count() == 0

    context.set_offline(False)
    page.wait_for_function("() => CareloopOutbox.store.all().then((items) => items.length === 0)")
    page.wait_for_selector("#outbox-status:has-text('Sent: your journal entry.')")
    screenshot(page, "offline-sent-375")

    ids = {item["kind"]: item["id"] for item in waiting}
    checkins = list(CheckIn.objects.filter(patient=ada_patient))
    entries = list(JournalEntry.objects.filter(patient=ada_patient))
    assert [str(c.client_id) for c in checkins] == [ids["checkin"]]
    assert [str(e.client_id) for e in entries] == [ids["journal"]]
    assert checkins[0].mood == 6
    assert Assessment.objects.filter(patient=ada_patient, instrument_id="phq9").count() == 1

    # Sending again (another tab, a retry after a lost answer) stores nothing new.
    replay = page.evaluate(
        "(items) => Promise.all(items.map((item) => CareloopOutbox.store.put(item)))"
        ".then(() => CareloopOutbox.flushNow({owner: items[0].owner,"
        " fetch: window.fetch.bind(window), ignoreBackoff: true,"
        " csrf: document.cookie.match(/csrftoken=([^;]+)/)[1]}))"
        ".then((results) => results.map((r) => r.outcome))",
        waiting,
    )
    assert replay == ["sent", "sent"]
    assert CheckIn.objects.filter(patient=ada_patient).count() == 1
    assert JournalEntry.objects.filter(patient=ada_patient).count() == 1


@pytest.mark.django_db(transaction=True)
def test_chromium_finds_the_app_installable(live_server, browser, playwright, tmp_path) -> None:
    """Chromium never offers to install from an incognito profile (a plain Playwright context):
    the check runs in a profile on disk, as a patient's browser is."""
    from tests.browser.conftest import chromium_path

    profile = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=chromium_path(), headless=True, locale="en-GB"
    )
    try:
        page = profile.new_page()
        page.goto(f"{live_server.url}/learn/")
        _wait_for_worker(page)
        session = profile.new_cdp_session(page)
        errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
        manifest = session.send("Page.getAppManifest")
        assert not manifest.get("errors"), manifest.get("errors")
        data = json.loads(manifest["data"])
    finally:
        profile.close()
    assert data["start_url"] == "/" and data["scope"] == "/"
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    assert any(icon.get("purpose") == "maskable" for icon in data["icons"])
    assert data["lang"] == "en" and data["dir"] == "ltr"


@pytest.mark.django_db(transaction=True)
def test_crisis_page_opens_signed_out_and_offline_from_the_app_worker(
    live_server, context, page, service
) -> None:
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.wait_for_load_state("load")
    # No worker is installed from the sign-in pages (its requests raced the sign-in).
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then((rs) => rs.length)") == 0
    page.goto(f"{base}/learn/")  # any other page: the crisis page is stored when it installs
    _wait_for_worker(page)
    page.wait_for_function(
        "() => caches.keys().then(async (keys) => {"
        " for (const key of keys) { if (await (await caches.open(key)).match('/safety/crisis/'))"
        " return true; } return false; })",
        timeout=30_000,
    )
    registrations = page.evaluate(
        "navigator.serviceWorker.getRegistrations().then((rs) => rs.map((r) => r.scope))"
    )
    assert registrations == [f"{base}/"]  # the /safety/ worker was never registered here
    context.set_offline(True)
    page.goto(f"{base}/safety/crisis/")
    assert page.get_by_role("heading", level=1).first.inner_text().strip() != ""
    assert "Get help now" in page.title()
    # A page never stored says so, and points to what opens offline.
    page.goto(f"{base}/messages/")
    assert page.get_by_role("heading", name="You are offline").is_visible()


STORED_PATHS = (
    "caches.keys().then(async (keys) => (await Promise.all(keys.map(async (key) =>"
    " (await (await caches.open(key)).keys()).map((r) => new URL(r.url).pathname)))).flat())"
)


@pytest.mark.django_db(transaction=True)
def test_staff_pages_are_never_stored(live_server, page, ben, ada) -> None:
    base = live_server.url
    sign_in(page, base, ben)
    _wait_for_worker(page)
    for path in ("/", "/caseload/", "/journal/", "/checkin/"):
        page.goto(f"{base}{path}")
    assert page.locator('meta[name="careloop-offline"]').count() == 0
    stored = set(page.evaluate(STORED_PATHS))
    pages = {path for path in stored if not path.startswith(("/static/", "/learn/"))}
    assert pages <= {"/offline/", "/safety/crisis/"}, pages


@pytest.mark.django_db(transaction=True)
def test_sign_out_empties_the_patients_stored_pages(live_server, page, ada, ada_patient) -> None:
    base = live_server.url
    sign_in(page, base, ada)
    _wait_for_worker(page)
    page.goto(f"{base}/journal/")
    page.wait_for_function(
        "() => " + STORED_PATHS + ".then((paths) => paths.includes('/journal/'))"
    )
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    stored = page.evaluate(STORED_PATHS)
    assert "/journal/" not in stored and "/" not in stored, stored
