"""Helpers for the browser tests (#13): sign in through the real forms, check a page with axe-core
at WCAG 2.2 AA, save screenshots as CI artefacts, measure reflow and focus contrast.

Import them in any browser test: ``from tests.browser.support import check_axe, sign_in``; the
fixtures (``page``, ``live_server``) come from tests/browser/conftest.py.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from playwright.sync_api import Page

# WCAG 2.0, 2.1 and 2.2, levels A and AA: what the issue asks every clinician page to pass.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# 1280 px: a desktop; 375 px: a phone; 320 px: WCAG 1.4.10 reflow (400 % zoom of 1280 px).
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
NARROWEST = {"width": 320, "height": 640}

_REPO = Path(__file__).resolve().parents[2]
_axe = Axe()


def artifacts_dir() -> Path:
    """Where CI keeps what a run leaves behind (CARELOOP_ARTIFACTS_DIR, else var/ci-artifacts)."""
    root = Path(os.environ.get("CARELOOP_ARTIFACTS_DIR") or _REPO / "var" / "ci-artifacts")
    return root


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as var/ci-artifacts/screenshots/<name>.png; return the path."""
    folder = artifacts_dir() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
    path = folder / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _wait_for_an_unused_code(device: Any) -> None:
    """A code is good once: django-otp refuses a time step at or before the last one used. When
    the same person signs in twice within one 30-second step (two browsers in one test), wait for
    the next step, as a person would wait for their app's next code."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t is not None and device.last_t >= totp.t():
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.5)


class _Named(Protocol):
    username: str


def sign_in(page: Page, base_url: str, user: _Named | str, password: str | None = None) -> None:
    """Sign in through the real forms: username and password, then (staff) the current TOTP code.

    ``user`` is a User of the test database (the live server's), anything with a ``username``,
    or the username itself; a staff user's confirmed authenticator gives the code, as
    ``careloop otp-code`` does for the demo staff.
    """
    from django.contrib.auth import get_user_model

    from careloop.accounts import mfa

    username = user if isinstance(user, str) else user.username
    if password is None:
        from conftest import PASSWORD

        password = PASSWORD
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    page.wait_for_load_state()
    if page.url.split("?")[0].endswith("/accounts/verify/"):
        account = get_user_model().objects.get(username=username)
        device = mfa.confirmed_device(account)
        assert device is not None, f"{username} is staff but has no confirmed authenticator"
        _wait_for_an_unused_code(device)
        page.fill("#id_code", mfa.current_code(device))
        page.press("#id_code", "Enter")
        page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"sign-in failed for {username}: {page.url}"
    assert "/accounts/verify/" not in page.url, (
        f"one-time code refused for {username}: {page.inner_text('main')[:300]}"
    )


def axe_violations(page: Page, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; return its violations (WCAG 2.2 AA tags)."""
    options = {
        "runOnly": {"type": "tag", "values": tags or WCAG_TAGS},
        "resultTypes": ["violations"],
    }
    results = _axe.run(page, options=options)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def format_violations(violations: list[dict[str, Any]]) -> str:
    """One paragraph per rule: id, impact, what it means, help URL, and each offending element."""
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f"  <{violation.get('helpUrl', '')}>"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {node.get('html', '')[:160]}")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def check_axe(page: Page, name: str, tags: list[str] | None = None) -> None:
    """Screenshot the page (CI artefact) and assert axe finds 0 WCAG 2.2 AA violations."""
    screenshot(page, name)
    violations = axe_violations(page, tags)
    assert not violations, (
        f"axe-core found {len(violations)} WCAG 2.2 AA violation(s) on {name} ({page.url}):\n"
        + format_violations(violations)
    )


def has_no_horizontal_scroll(page: Page) -> bool:
    """WCAG 1.4.10 reflow: nothing makes the page itself scroll sideways at this width."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def check_reflow(page: Page, name: str) -> None:
    """Assert the page fits the viewport's width (screenshot kept as evidence either way)."""
    screenshot(page, name)
    # The outermost elements that stick out (not what scrolls inside a region of its own).
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                           && !(e.parentElement && e.parentElement.closest('.table-scroll')))
              .slice(0, 6).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                                   + (e.classList.length ? '.' + [...e.classList].join('.') : '')
                                   + ' (' + Math.round(e.getBoundingClientRect().width) + ' px)')"""
    )
    assert has_no_horizontal_scroll(page), (
        f"{name} scrolls sideways at {page.viewport_size}: {page.url}; page "
        f"{page.evaluate('document.documentElement.scrollWidth')} px wide; "
        f"wider than the screen: {wide}"
    )


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def parse_rgb(css: str) -> tuple[float, float, float]:
    """'rgb(27, 27, 27)' or 'rgba(…)' → (27, 27, 27)."""
    numbers = re.findall(r"[\d.]+", css)
    return float(numbers[0]), float(numbers[1]), float(numbers[2])


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS colours (rgb()/rgba() as the browser computes them)."""
    la, lb = sorted((_luminance(parse_rgb(a)), _luminance(parse_rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)
