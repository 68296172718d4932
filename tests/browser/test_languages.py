"""Languages in a real browser (#14 item 3): the header's language picker used with the keyboard
alone; patient pages in Arabic (dir="rtl", lang="ar") pass axe-core at WCAG 2.2 AA at 1280 and
375 px and do not scroll sideways at 320 px; a questionnaire shown in English on a French page
(no official French translation held) marks its items lang="en"."""

from __future__ import annotations

import pytest

from conftest import submit_answers
from tests.browser.support import DESKTOP, NARROWEST, PHONE, check_axe, check_reflow, sign_in

PATIENT_PAGES = (
    ("/", "home"),
    ("/questionnaires/phq9/", "answer-phq9"),
    ("/questionnaires/history/", "results"),
    ("/journal/", "journal"),
    ("/messages/", "messages"),
    ("/progress/", "progress"),
    ("/safety/crisis/", "crisis"),
    ("/me/data/", "my-data"),
    ("/checkin/", "checkin"),
    ("/safety/plan/", "safety-plan"),
    ("/me/privacy/", "privacy"),
    ("/me/access/", "access-log"),
    ("/me/data/erase/", "erase"),
    ("/reminders/", "reminders"),
    ("/learn/", "learn"),
    ("/questionnaires/gad7/", "answer-gad7"),
)


# In a right-to-left page what sticks out does so past the left edge: name both sides.
_STICKING_OUT = """() => [...document.querySelectorAll('body *')]
  .filter(e => { const r = e.getBoundingClientRect();
                 return (r.left < -1 || r.right > window.innerWidth + 1)
                        && !(e.parentElement && e.parentElement.closest('.table-scroll')); })
  .slice(0, 6).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                        + (e.classList.length ? '.' + [...e.classList].join('.') : '')
                        + ' ' + Math.round(e.getBoundingClientRect().left) + '..'
                        + Math.round(e.getBoundingClientRect().right))"""


def _check_all_widths(page, name: str) -> None:
    for size, label in ((DESKTOP, "1280"), (PHONE, "375")):
        page.set_viewport_size(size)
        check_axe(page, f"{name}-{label}")
    page.set_viewport_size(NARROWEST)
    outside = page.evaluate(_STICKING_OUT)
    check_reflow(page, f"{name}-320 {outside}")
    page.set_viewport_size(DESKTOP)


def _choose_with_keyboard(page, language_name: str) -> None:
    """Tab to the picker, pick a language with the keyboard, Tab to its button and press Enter."""
    select = page.locator("#language-picker-select")
    select.focus()
    select.select_option(label=language_name)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('form.language-picker') !== null")
    assert focused, "the picker's button does not follow its select in the tab order"
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.django_db(transaction=True)
def test_patient_pages_in_arabic_are_right_to_left_accessible_and_reflow(
    live_server, page, ada
) -> None:
    submit_answers(ada.patient_record, ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0])
    sign_in(page, live_server.url, ada)
    _choose_with_keyboard(page, "العربيّة")
    assert page.get_attribute("html", "lang") == "ar"
    assert page.get_attribute("html", "dir") == "rtl"
    for path, name in PATIENT_PAGES:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        assert page.get_attribute("html", "dir") == "rtl", path
        _check_all_widths(page, f"patient-ar-{name}")
    # The layout mirrors: the brand sits at the right edge of the header.
    page.goto(f"{live_server.url}/")
    brand = page.locator(".brand").bounding_box()
    header = page.locator(".site-header").bounding_box()
    assert brand and header and brand["x"] + brand["width"] > header["x"] + header["width"] / 2


@pytest.mark.django_db(transaction=True)
def test_patient_pages_in_english_pass_axe_with_the_picker(live_server, page, ada) -> None:
    sign_in(page, live_server.url, ada)
    for path, name in PATIENT_PAGES[:2]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == "en"
        _check_all_widths(page, f"patient-en-{name}")


@pytest.mark.django_db(transaction=True)
def test_a_french_page_shows_english_items_marked_english(live_server, page, ada) -> None:
    sign_in(page, live_server.url, ada)
    _choose_with_keyboard(page, "Français")
    page.goto(f"{live_server.url}/questionnaires/phq9/")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "fr"
    assert page.locator("#wording-language").is_visible()
    langs = page.eval_on_selector_all("fieldset[data-read-aloud]", "e => e.map(f => f.lang)")
    assert langs and set(langs) == {"en"}
    check_axe(page, "patient-fr-answer-phq9-1280")
