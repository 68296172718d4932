"""The browser helpers can fail: axe-core reports a real violation, the reflow check sees a page
wider than the screen, and the contrast maths matches WCAG's reference values."""

from __future__ import annotations

import pytest

from tests.browser.support import (
    NARROWEST,
    axe_violations,
    check_axe,
    contrast,
    format_violations,
    has_no_horizontal_scroll,
)


def test_axe_reports_an_image_without_a_text_alternative(page) -> None:
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head>'
        '<body><main><h1>Page</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "</main></body></html>"
    )
    violations = axe_violations(page)
    assert [v["id"] for v in violations] == ["image-alt"]
    assert "image-alt" in format_violations(violations)
    with pytest.raises(AssertionError, match="image-alt"):
        check_axe(page, "selftest-image-alt")


def test_a_page_wider_than_the_screen_is_seen(page) -> None:
    page.set_viewport_size(NARROWEST)
    page.set_content('<!doctype html><body><div style="width:400px">wide</div></body>')
    assert not has_no_horizontal_scroll(page)
    page.set_content('<!doctype html><body><div style="max-width:100%">fits</div></body>')
    assert has_no_horizontal_scroll(page)


def test_the_focus_probe_measures_a_weak_ring(page) -> None:
    from tests.browser.test_focus_and_navigation import FOCUS_PROBE

    page.set_content(
        "<!doctype html><style>:focus-visible { outline: 3px solid #ffbf47 }</style>"
        "<body><main><button>One</button></main></body>"
    )
    page.keyboard.press("Tab")
    probe = page.evaluate(FOCUS_PROBE)
    assert probe["outlineWidth"] == 3
    assert contrast(probe["outlineColor"], probe["background"]) < 3  # the old yellow: 1.6:1


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21.0)
    assert contrast("rgb(255, 191, 71)", "rgb(255, 255, 255)") == pytest.approx(1.6, abs=0.05)
    assert contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54, abs=0.01)
