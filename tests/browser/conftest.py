"""Browser fixtures (#13): Playwright drives the machine's Chromium against pytest-django's live
server. Every test under tests/browser/ is marked `browser` and `slow`.

Chromium is Debian's /usr/bin/chromium (or CARELOOP_CHROMIUM); Playwright never downloads a
browser here. Without Chromium the tests skip with the reason, unless CARELOOP_REQUIRE_BROWSER=1
(set by .ci/run), which makes them fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.support import DESKTOP

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def chromium_path() -> str | None:
    configured = os.environ.get("CARELOOP_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


@pytest.fixture(scope="module")
def playwright(django_db_setup: None) -> Iterator[Playwright]:
    """Playwright's sync API keeps an asyncio loop running in this thread while it is open, and
    Django refuses ORM calls from a thread with a running loop. The test code here is synchronous
    (the loop only carries Playwright's messages), so Django is told so for the browser tests
    only: module scope, and the setting is undone when the module's browser closes, before any
    other test runs. The test database is set up first, outside the loop."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as running:
            yield running
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        where = os.environ.get("CARELOOP_CHROMIUM") or "/usr/bin/chromium"
        reason = (
            f"no Chromium at {where} (apt-get install -y chromium, or set "
            "CARELOOP_CHROMIUM); Playwright's own browser download is not used"
        )
        if os.environ.get("CARELOOP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CARELOOP_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    launched = playwright.chromium.launch(executable_path=executable, headless=True)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile per test (no cookies), desktop width, the page's CSP enforced.

    axe-core is injected through the DevTools protocol (page.evaluate), which the page's
    Content-Security-Policy does not block, so the pages are checked under their real CSP.
    """
    made = browser.new_context(viewport=DESKTOP, locale="en-GB")  # type: ignore[arg-type]
    made.set_default_timeout(15_000)
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
