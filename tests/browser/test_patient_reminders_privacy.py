"""Reminders and the privacy centre in a real browser (#14 items 7-8): axe-core at WCAG 2.2 AA
at 1280 and 375 px and reflow at 320 px, with the folded parts open; a reminder choice saved
through the form."""

from __future__ import annotations

import pytest

from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.monitoring.models import ReminderPreference
from tests.browser.support import DESKTOP, NARROWEST, PHONE, check_axe, check_reflow, sign_in


def _check_both_widths(page, name: str) -> None:
    for size, label in ((DESKTOP, "1280"), (PHONE, "375")):
        page.set_viewport_size(size)
        check_axe(page, f"{name}-{label}")
    page.set_viewport_size(NARROWEST)
    check_reflow(page, f"{name}-320")
    page.set_viewport_size(DESKTOP)


@pytest.mark.django_db(transaction=True)
def test_reminders_and_privacy_pages_pass_axe_and_reflow(live_server, page, ada, ben) -> None:
    patient = ada.patient_record
    record_event(
        actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=patient.service_id,
        patient_id=patient.id, purpose=PurposeOfUse.TREAT,
    )  # fmt: skip
    sign_in(page, live_server.url, ada)
    page.goto(f"{live_server.url}/reminders/")
    _check_both_widths(page, "patient-reminders")
    page.check("#channel-in_app")
    page.fill("#remind_at", "19:15")
    page.check("#pause-always")
    page.click("text=Save my reminder choices")
    page.wait_for_load_state()
    assert "paused until you switch them back on" in page.inner_text("main")
    saved = ReminderPreference.objects.get()
    assert saved.channel == "in_app" and saved.paused and saved.remind_at.hour == 19
    _check_both_widths(page, "patient-reminders-saved")
    for path, name in (("/me/privacy/", "patient-privacy"), ("/me/access/", "patient-access")):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        _check_both_widths(page, name)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        _check_both_widths(page, f"{name}-open")
