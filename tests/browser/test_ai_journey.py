"""#15 in Chromium: "the clinician sees a suggestion with its explanation and overrides it with
a reason; the patient sees the receipt and asks for a human review" — and the care team answers
it, the patient reads the answer, and the service admin switches the model off and on again.

Every step goes through the real pages and forms (the suggestion itself is made by the
clinician's "Check for suggestions now" button); the database is read only to check what the
pages did. Each new page passes axe-core (WCAG 2.2 AA) at 1280 and 375 px and reflows at
320 px; screenshots are kept in var/ci-artifacts/screenshots/.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.support import (
    DESKTOP,
    NARROWEST,
    PHONE,
    check_axe,
    check_reflow,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _as(browser: Browser) -> Page:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    return context.new_page()


def _axe_both_widths(page: Page, name: str) -> None:
    """axe-core at 1280 and 375 px, and reflow (no sideways scrolling) at 320 px."""
    for size, label in ((DESKTOP, "1280"), (PHONE, "375")):
        page.set_viewport_size(size)  # type: ignore[arg-type]
        check_axe(page, f"{name}-{label}")
    page.set_viewport_size(NARROWEST)  # type: ignore[arg-type]
    check_reflow(page, f"{name}-320")
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]


@pytest.fixture
def ada_in_week_three(service, north, ada, ada_patient, ben, sam, cleo):
    """Ada, three weeks into a course of care at step 2, her PHQ-9 up from 14 to 18; the
    synthetic early-warning model of the demo switched on for the service (through the gate)."""
    from datetime import timedelta

    from careloop.ai.services.demo import install_demo_model_for_seed
    from careloop.ai.tests.conftest import add_questionnaire, phq9
    from careloop.care.models import TreatmentEpisode
    from careloop.care.services import change_step
    from careloop.care.types import CareStep
    from careloop.core import clock

    model = install_demo_model_for_seed(sam)
    today = clock.now().date()
    episode = TreatmentEpisode.objects.create(
        service=service,
        patient=ada_patient,
        referred_on=today - timedelta(days=28),
        started_on=today - timedelta(days=21),
    )
    add_questionnaire(episode, 0, "phq9", phq9(14))
    add_questionnaire(episode, 0, "gad7", [2, 2, 2, 2, 1, 1, 1])
    add_questionnaire(episode, 14, "phq9", phq9(18))
    change_step(ben, episode, CareStep.LOW_INTENSITY, "Guided self-help to start.")
    return SimpleNamespace(patient=ada_patient, model=model)


def test_the_clinician_overrides_a_suggestion_and_the_patient_asks_for_a_review(
    live_server, browser, ada_in_week_three, ada, ben
) -> None:
    from careloop.ai.models import ReviewTask, Suggestion
    from careloop.ai.types import ReasonCode, ReviewStatus, SuggestionStatus

    base = live_server.url
    patient_page = f"{base}/patients/{ada_in_week_three.patient.id}/"

    # 1. The care manager opens Ada's chart and asks for the suggestions due now.
    clinician = _as(browser)
    sign_in(clinician, base, ben)
    clinician.goto(patient_page)
    panel = clinician.locator("#ai-suggestions")
    assert "No suggestions for this patient yet" in panel.inner_text()
    clinician.get_by_role("button", name="Check for suggestions now").click()
    clinician.wait_for_load_state()

    # 2. The suggestion, its explanation and the version, and "You decide".
    text = panel.inner_text()
    assert "This is a suggestion. You decide." in text
    assert "Consider stepping up early to Step 3" in text
    assert "Early-warning model version synthetic-reference-1" in text
    assert "PHQ-9 rose 4 points" in text and "raises the estimate" in text
    assert "This model was trained on synthetic (made-up) data" in text
    assert panel.get_by_role("link", name="model card", exact=True).count() == 1
    _axe_both_widths(clinician, "ai-patient-panel-open")

    # 3. Overridden with a reason and a note.
    clinician.get_by_label("The patient prefers otherwise").check()
    clinician.get_by_label("Note (optional)").fill(
        "Ada wants to finish the guided self-help course first; we review at week 6."
    )
    clinician.get_by_role("button", name="Record my decision").click()
    clinician.wait_for_load_state()
    assert "Your decision is recorded: overridden." in clinician.inner_text("main")
    decided = clinician.locator("#ai-suggestions .ai-decided").inner_text()
    assert "Overridden by ben on" in decided and "The patient prefers otherwise" in decided
    screenshot(clinician, "ai-patient-panel-overridden")
    suggestion = Suggestion.objects.get(source="model")
    assert suggestion.status == SuggestionStatus.OVERRIDDEN
    assert suggestion.reason == ReasonCode.PATIENT_PREFERENCE and suggestion.decided_by == ben

    # 4. Ada reads the receipt and asks a person to look again.
    patient = _as(browser)
    sign_in(patient, base, ada)
    patient.goto(f"{base}/decisions/")
    receipt = patient.locator(f"#decision-{suggestion.id}")
    text = receipt.inner_text()
    assert "A suggestion from a computer model: to move you to Step 3" in text
    assert "Your clinician decided otherwise" in text
    assert "your first PHQ-9 score (mood questionnaire)" in text
    assert receipt.get_by_role("link", name="Send a message to my care team").count() == 1
    _axe_both_widths(patient, "ai-my-decisions")
    patient.get_by_label("Tell us why (you can leave this empty)").fill(
        "My sleep answers were from one bad week."
    )
    patient.get_by_role("button", name="Ask a person to look at this again").click()
    patient.wait_for_load_state()
    assert "You asked a person to look again." in patient.inner_text("main")
    _axe_both_widths(patient, "ai-my-decisions-asked")
    task = ReviewTask.objects.get()
    assert task.status == ReviewStatus.OPEN and task.message.startswith("My sleep answers")

    # 5. The care manager finds the request and answers it.
    clinician.goto(f"{base}/ai/reviews/")
    assert "Ada Test" in clinician.inner_text("main")
    _axe_both_widths(clinician, "ai-reviews")
    clinician.get_by_role("link", name="Ada Test").click()
    clinician.wait_for_load_state()
    assert "My sleep answers were from one bad week." in clinician.inner_text("main")
    _axe_both_widths(clinician, "ai-review-answer")
    clinician.get_by_label("Your answer to the patient").fill(
        "I looked at your answers again with you. We keep guided self-help and check in two weeks."
    )
    clinician.get_by_role("button", name="Send the answer").click()
    clinician.wait_for_load_state()
    assert "Your answer is sent." in clinician.inner_text("main")
    task.refresh_from_db()
    assert task.status == ReviewStatus.ANSWERED and task.answered_by == ben

    # 6. Ada sees the answer with the decision.
    patient.goto(f"{base}/decisions/")
    text = patient.locator(f"#decision-{suggestion.id}").inner_text()
    assert "Your care team answered on" in text
    assert "We keep guided self-help and check in two weeks." in text
    _axe_both_widths(patient, "ai-my-decisions-answered")


def test_staff_read_the_registry_and_card_and_the_admin_switches_the_model_off(
    live_server, browser, ada_in_week_three, ben, cleo
) -> None:
    from careloop.ai.models import Prediction
    from careloop.ai.selectors.registry import model_in_use
    from careloop.ai.types import ModelKind

    base = live_server.url
    service_id = ada_in_week_three.patient.service_id

    clinician = _as(browser)
    sign_in(clinician, base, ben)
    clinician.goto(f"{base}/ai/")
    assert "Switched on." in clinician.inner_text("#switch")
    _axe_both_widths(clinician, "ai-registry")
    clinician.get_by_role("link", name="Version synthetic-reference-1").click()
    clinician.wait_for_load_state()
    card = clinician.inner_text("main")
    assert "SYNTHETIC DATA." in card and "Performance by group" in card
    assert "Calibration" in card and "Limitations" in card
    _axe_both_widths(clinician, "ai-model-card")

    # The service admin switches it off: the reason is required, then it is off at once.
    admin = _as(browser)
    sign_in(admin, base, cleo)
    admin.goto(f"{base}/ai/")
    admin.get_by_role("button", name="Switch the early-warning model off").click()
    admin.wait_for_load_state()
    assert "Say why you are switching the model off." in admin.inner_text("#switch")
    _axe_both_widths(admin, "ai-switch-refused")
    admin.get_by_label("Why you are switching it off (required)").fill(
        "Estimates look wrong after Friday's data import."
    )
    admin.get_by_role("button", name="Switch the early-warning model off").click()
    admin.wait_for_load_state()
    assert "Switched off." in admin.inner_text("#switch")
    _axe_both_widths(admin, "ai-registry-switched-off")
    assert model_in_use(service_id, ModelKind.EARLY_WARNING) is None

    # The clinician's page says so, and no estimate is made while it is off.
    clinician.goto(f"{base}/patients/{ada_in_week_three.patient.id}/")
    clinician.get_by_role("button", name="Check for suggestions now").click()
    clinician.wait_for_load_state()
    assert "The early-warning model is switched off" in clinician.inner_text("#ai-suggestions")
    assert Prediction.objects.count() == 0

    admin.get_by_role("button", name="Switch the early-warning model on").click()
    admin.wait_for_load_state()
    assert "Switched on." in admin.inner_text("#switch")
    assert model_in_use(service_id, ModelKind.EARLY_WARNING) is not None
