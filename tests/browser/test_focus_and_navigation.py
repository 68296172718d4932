"""Keyboard focus and navigation in a real browser (#13 item 7): the focus ring keeps at least 3:1
contrast against what surrounds it (WCAG 1.4.11), navigation links are targets of at least
24 x 24 px (2.5.8) that stay on screen at 320 CSS px (1.4.10 reflow), and the link of the section
you are in says so (aria-current="page")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import NARROWEST, PHONE, contrast, screenshot, sign_in

# For the element focused now: its outline, and the first opaque background behind the ring
# (the ring sits outside the element, outline-offset away, so the parent's background touches
# it on both sides).
FOCUS_PROBE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  let node = el.parentElement, background = 'rgb(255, 255, 255)';
  while (node) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && bg !== 'transparent' && !bg.startsWith('rgba(0, 0, 0, 0)')) {
      background = bg;
      break;
    }
    node = node.parentElement;
  }
  return {
    element: el.tagName.toLowerCase() + (el.textContent || '').trim().slice(0, 30),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor, background: background,
  };
}"""


def _tab_through(page, steps: int) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    for _ in range(steps):
        page.keyboard.press("Tab")
        probe = page.evaluate(FOCUS_PROBE)
        if probe is not None:
            seen.append(probe)
    return seen


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/caseload/", "/alerts/", "/me/access/emergency/"])
def test_every_focused_control_shows_a_ring_of_at_least_3_to_1(
    live_server, page, ben, ada, path
) -> None:
    sign_in(page, live_server.url, ben)
    page.goto(live_server.url + path)
    focused = _tab_through(page, 20)
    assert len(focused) >= 5, f"too few focusable controls reached on {path}: {focused}"
    weak = [
        f"{f['element']!r}: {f['outlineStyle']} {f['outlineWidth']}px {f['outlineColor']} on "
        f"{f['background']} = {contrast(f['outlineColor'], f['background']):.2f}:1"
        for f in focused
        if f["outlineStyle"] in ("none", "hidden")
        or f["outlineWidth"] < 2
        or contrast(f["outlineColor"], f["background"]) < 3
    ]
    assert not weak, "focus indicator missing or below 3:1:\n" + "\n".join(weak)
    page.keyboard.press("Shift+Tab")
    screenshot(page, f"focus-ring-{path.strip('/').replace('/', '-')}")


def _nav_boxes(page) -> list[dict[str, Any]]:
    boxes = []
    for link in page.locator("nav[aria-label] a, header .sign-out button, header .brand").all():
        box = link.bounding_box()
        assert box is not None, f"{link.inner_text()!r} is not shown"
        boxes.append({"text": link.inner_text().strip(), **box})
    return boxes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["ben", "sam", "cleo"])
def test_navigation_reflows_at_320_px_with_targets_of_24_px(
    live_server, page, request, ada, who
) -> None:
    user = request.getfixturevalue(who)
    sign_in(page, live_server.url, user)
    for size in (NARROWEST, PHONE):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"the page scrolls sideways at {size['width']} px for {who}"
        )
        boxes = _nav_boxes(page)
        assert len(boxes) >= 3
        for box in boxes:
            assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5, (
                f"{box['text']!r} is off screen at {size['width']} px: {box}"
            )
            assert box["width"] >= 24 and box["height"] >= 24, (
                f"{box['text']!r} is smaller than 24 x 24 px at {size['width']} px: {box}"
            )
        screenshot(page, f"navigation-{who}-{size['width']}")


@pytest.mark.django_db(transaction=True)
def test_the_current_section_is_marked_in_the_navigation(live_server, page, sam, ada) -> None:
    sign_in(page, live_server.url, sam)
    for path, label in (
        ("/caseload/", "Caseload"),
        ("/alerts/", "Alerts"),
        ("/messages/", "Messages"),
        ("/me/access/emergency/review/", "Emergency access review"),
        ("/safety/crisis-resources/review/", "Crisis lines review"),
    ):
        page.goto(live_server.url + path)
        current = page.locator('nav[aria-label] a[aria-current="page"]')
        assert current.count() == 1, f"{path}: {current.count()} links marked current"
        assert current.inner_text().strip() == label


@pytest.mark.django_db(transaction=True)
def test_the_first_tab_stop_skips_to_the_main_content(live_server, page, ben, ada) -> None:
    sign_in(page, live_server.url, ben)
    page.goto(f"{live_server.url}/caseload/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("e => e === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0, "the skip link stays off screen when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
