"""My progress, Learn and read-aloud in a real browser (#14 items 4-6): axe-core at WCAG 2.2 AA
at 1280 and 375 px and reflow at 320 px; the read-aloud buttons exist only where the browser can
speak, read a question with its options in the page's language, and a second press stops."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from careloop.assessments.models import Assessment
from tests.browser.support import DESKTOP, NARROWEST, PHONE, check_axe, check_reflow, sign_in

# Stands in for the browser's speech: records what would be spoken (headless voices vary).
SPEECH_STUB = """
window.__spoken = [];
if ('speechSynthesis' in window) {
  window.speechSynthesis.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang}); };
}
"""


def _check_both_widths(page, name: str) -> None:
    for size, label in ((DESKTOP, "1280"), (PHONE, "375")):
        page.set_viewport_size(size)
        check_axe(page, f"{name}-{label}")
    page.set_viewport_size(NARROWEST)
    check_reflow(page, f"{name}-320")
    page.set_viewport_size(DESKTOP)


def _scores(ada, patient) -> None:
    from conftest import submit_answers

    first = submit_answers(patient, ada, "phq9", [2, 2, 2, 2, 2, 2, 2, 2, 0])
    Assessment.objects.filter(id=first.id).update(
        completed_at=first.completed_at - timedelta(days=28)
    )
    submit_answers(patient, ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0])
    submit_answers(patient, ada, "gad7", [1, 1, 1, 1, 1, 1, 1])
    assert uuid.UUID(str(first.id))


@pytest.mark.django_db(transaction=True)
def test_progress_and_learn_pages_pass_axe_and_reflow(live_server, page, ada) -> None:
    _scores(ada, ada.patient_record)
    sign_in(page, live_server.url, ada)
    for path, name in (
        ("/progress/", "patient-progress"),
        ("/learn/", "patient-learn"),
        ("/learn/not-safe/", "patient-learn-not-safe"),
        ("/learn/grounding/?lang=ar", "patient-learn-grounding-ar"),
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        _check_both_widths(page, name)


@pytest.mark.django_db(transaction=True)
def test_read_aloud_reads_a_question_and_its_options(live_server, context, ada) -> None:
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    sign_in(page, live_server.url, ada)
    page.goto(f"{live_server.url}/questionnaires/phq9/")
    page.wait_for_load_state()
    buttons = page.get_by_role("button", name="Read aloud")
    assert buttons.count() == 10
    first = buttons.first
    first.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken[0]["lang"] == "en"
    assert spoken[0]["text"].startswith("1. Little interest or pleasure in doing things")
    assert "Nearly every day" in spoken[0]["text"]
    assert first.get_attribute("aria-pressed") == "true"
    first.click()
    assert first.get_attribute("aria-pressed") == "false"
    check_axe(page, "patient-answer-read-aloud-1280")


@pytest.mark.django_db(transaction=True)
def test_read_aloud_speaks_a_guide_in_its_own_language_and_needs_speech(
    live_server, browser
) -> None:
    context = browser.new_context()
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    page.goto(f"{live_server.url}/learn/sleep/?lang=es")
    page.get_by_role("button", name="Read aloud").first.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken[0]["lang"] == "es" and spoken[0]["text"].startswith("Dormir mejor")
    context.close()

    # No speech synthesis: no button at all (nothing that does nothing).
    context = browser.new_context()
    context.add_init_script(
        "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/learn/sleep/")
    assert page.locator("button.read-aloud").count() == 0
    context.close()
