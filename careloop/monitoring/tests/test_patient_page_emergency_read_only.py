"""The patient page under emergency access offers no change it would refuse (#18 item 8, HZ-023).

Seen in Chromium on `make run`: Dana, holding an emergency grant for Ada, got the measurement
plan's number inputs and Save buttons; pressing Save was then refused. The alert page already
hid its buttons (may_write); the patient page now asks the same question.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from careloop.privacy import breakglass

REASON = "Patient presented at A&E out of hours; own team unreachable."


def test_emergency_access_sees_the_plan_without_inputs_or_save(
    as_user, ada_patient, dana, ben
) -> None:
    breakglass.start(actor=dana, patient=ada_patient, reason=REASON)
    page = as_user(dana).get(f"/patients/{ada_patient.id}/").content.decode()
    assert "Measurement plan" in page
    assert 'name="every_days"' not in page
    assert ">Save</button>" not in page
    # Ada's own team still changes the plan from the same page.
    own = as_user(ben).get(f"/patients/{ada_patient.id}/").content.decode()
    assert 'name="every_days"' in own
    assert ">Save</button>" in own
    # A wide table scrolls in its own keyboard-reachable box, not the whole page (320 px).
    assert '<div class="table-scroll" role="region" tabindex="0"' in own


def test_flash_messages_keep_list_semantics_inside_a_status_region() -> None:
    """axe 'listitem': a <ul role="status"> is no list, so its <li> had no list parent."""
    for template in (
        "safety/_messages.html",
        "safety_planning/_messages.html",
        "rights/access_messages.html",
    ):
        html = render_to_string(template, {"messages": ["Alert acknowledged."]})
        assert '<div role="status"><ul class="messages"><li' in html, template
