"""Light (#14 item 9): every patient page costs at most 50 KB on the wire once the browser has
visited it before, measured by the browser itself.

The live server here serves static files the way production does, through WhiteNoise (its
Cache-Control, ETag and Last-Modified), not through Django's test static handler (which sends no
Cache-Control at all). Each page is opened twice in one browser profile: the first visit warms
the HTTP cache, the second is measured. The figure is what the browser reports for the second
visit: the navigation entry's `transferSize` (the HTML: patient pages are `no-store`, so it is
always fetched again) plus every resource entry's `transferSize` (0 for a file taken from the
cache, headers only for a 304 revalidation, the whole encoded body otherwise). The figures are
written to var/ci-artifacts/patient-weight-<case>.json and printed (cases: static files still
fresh in the cache, and all revalidated); docs/patient-app/weight.md has the latest run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from careloop.assessments.models import Assessment
from tests.browser.support import DESKTOP, artifacts_dir, sign_in
from tests.patient_app.pages import Page, patient_pages, patient_with_record

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from playwright.sync_api import Page as BrowserPage

LIMIT_BYTES = 50 * 1024  # 50 KB (KiB) per page after the first visit

# The patient's own pages that the #14 page list (tests/patient_app/pages.py) does not hold yet.
EXTRA_PAGES = [
    Page("monitoring/reminders.html", "/reminders/"),
    Page("rights/access_privacy.html", "/me/privacy/"),
    Page("rights/access_log.html", "/me/access/"),
]

MEASURE = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  return {
    html: nav ? nav.transferSize : 0,
    html_decoded: nav ? nav.decodedBodySize : 0,
    resources: resources.map(r => ({
      name: r.name, transfer: r.transferSize, decoded: r.decodedBodySize,
    })),
  };
}
"""


def _through(application: Any) -> Any:
    """No test static handler: the WhiteNoise middleware serves /static/ as in production."""
    return application


# (service workers, WhiteNoise's max-age for static files):
# - "service-worker": the app as shipped: Careloop's service worker (core/sw.js) keeps static
#   files in its store and fetches pages from the network first; WhiteNoise's production max-age;
# - "no-service-worker": a browser without one (blocked, or not supported), and every static
#   file revalidated with a 304 (max-age 0, as on a visit after the cache time ran out, or with
#   DEBUG on): the worst case of the HTTP cache.
CACHE_CASES: dict[str, tuple[str, int | None]] = {
    "service-worker": ("allow", None),
    "no-service-worker": ("block", 0),
}


@pytest.fixture(params=list(CACHE_CASES))
def production_like_server(
    request: pytest.FixtureRequest, transactional_db: None, settings: Any
) -> Iterator[tuple[str, str]]:
    from pytest_django.live_server_helper import LiveServer

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    max_age = CACHE_CASES[request.param][1]
    if max_age is not None:
        settings.WHITENOISE_MAX_AGE = max_age
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = _through  # type: ignore[assignment]
    server.start()
    try:
        yield server.url, request.param
    finally:
        server.stop()


def _measure(page: BrowserPage, url: str, *, cold: bool = False) -> dict[str, Any]:
    if cold:  # a first visit: nothing in the HTTP cache (a service worker keeps its own store)
        session = page.context.new_cdp_session(page)
        session.send("Network.clearBrowserCache")
        session.detach()
    page.goto(url, wait_until="load")
    page.wait_for_timeout(200)  # late resources (icons, fonts) report before reading
    figures: dict[str, Any] = page.evaluate(MEASURE)
    total = figures["html"] + sum(r["transfer"] for r in figures["resources"])
    from_network = [r for r in figures["resources"] if r["transfer"] > 0]
    return {
        "bytes": total,
        "html_bytes": figures["html"],
        "html_decoded_bytes": figures["html_decoded"],
        "resources": len(figures["resources"]),
        "resources_from_network": len(from_network),
        "resource_bytes": total - figures["html"],
    }


def test_every_patient_page_is_light_after_the_first_visit(
    production_like_server: tuple[str, str], browser: Browser, ada: Any, ben: Any
) -> None:
    base, case = production_like_server
    context = browser.new_context(
        viewport=DESKTOP,  # type: ignore[arg-type]
        locale="en-GB",
        service_workers=CACHE_CASES[case][0],  # type: ignore[arg-type]
    )
    context.set_default_timeout(15_000)
    try:
        _check_pages(base, case, context.new_page(), ada, ben)
    finally:
        context.close()


def _check_pages(base: str, case: str, page: BrowserPage, ada: Any, ben: Any) -> None:
    patient = patient_with_record(ada, ben)
    result = Assessment.objects.filter(patient=patient, instrument_id="phq9").first()
    assert result is not None
    pages = patient_pages(patient, result_id=result.id) + EXTRA_PAGES
    sign_in(page, base, ada)
    figures: dict[str, dict[str, Any]] = {}
    for entry in pages:
        url = f"{base}{entry.url}"
        first = _measure(page, url, cold=True)
        second = _measure(page, url)
        assert page.url.startswith(url.split("?")[0]), f"{entry.name}: ended at {page.url}"
        figures[entry.url] = {"page": entry.name, "first_visit_bytes": first["bytes"], **second}
    folder = artifacts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    report = {"limit_bytes": LIMIT_BYTES, "static_cache": case, "pages": figures}
    (folder / f"patient-weight-{case}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\npatient page weight after the first visit, static {case} (bytes on the wire):")
    for url, row in figures.items():
        print(
            f"  {row['bytes']:>7,}  (html {row['html_bytes']:>6,}, "
            f"{row['resources_from_network']}/{row['resources']} files fetched; "
            f"first visit {row['first_visit_bytes']:,})  {url}"
        )
    heavy = {url: row["bytes"] for url, row in figures.items() if row["bytes"] > LIMIT_BYTES}
    assert not heavy, f"over {LIMIT_BYTES:,} bytes after the first visit: {heavy}"
