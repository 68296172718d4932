"""Follow-up after a positive PHQ-9 item 9 (issue #18 item 5, hazard HZ-021).

clinical_spec.md §1 safety: item 9 >= 1 -> "same-day clinician review + structured risk
assessment (e.g. C-SSRS screener), safety plan". The review is the alert; the structured
assessment is offered to the patient at once, recorded, and shown to the clinician.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from careloop.accounts.models import User
from careloop.assessments.models import Assessment
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.core.errors import InvalidInput, PermissionDenied
from careloop.monitoring.follow_up_services import set_risk_follow_up
from careloop.monitoring.models import FollowUpOffer
from careloop.monitoring.types import FollowUpState
from careloop.safety.models import Alert
from careloop.safety.selectors import alert_visible_to
from careloop.safety.services import acknowledge_alert, close_alert, record_alert_action
from conftest import signed_in, submit_answers

PHQ9_ITEM9_SEVERAL_DAYS: list[int | None] = [0, 1, 1, 0, 0, 1, 0, 0, 1]
CSSRS_WISH_TO_BE_DEAD_ONLY: list[int | None] = [
    1,
    0,
    None,
    None,
    None,
    0,
    None,
]  # low risk (spec §13)


def _submit(user: User, instrument_id: str, answers: list[int | None]) -> Assessment:
    return submit_answers(user.patient_record, user, instrument_id, answers)


def _actions(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


@pytest.mark.django_db
def test_a_positive_item_9_offers_the_cssrs_screener_at_once_recorded_and_audited(ada: User):
    phq9 = _submit(ada, "phq9", PHQ9_ITEM9_SEVERAL_DAYS)

    offer = FollowUpOffer.objects.get(trigger=phq9)
    assert (offer.instrument_id, offer.state) == ("cssrs_screener", FollowUpState.OFFERED)
    assert offer.patient_id == ada.patient_record.id and offer.offered_at is not None
    (offered,) = _actions(AuditAction.FOLLOW_UP_OFFERED)
    assert offered.detail == {"instrument": "cssrs_screener", "trigger": str(phq9.id)}

    client = signed_in(ada)
    result = client.get(f"/questionnaires/results/{phq9.id}/").content.decode()
    assert "Answer a few more questions now" in result
    assert 'href="/questionnaires/cssrs_screener/"' in result
    home = client.get("/").content.decode()
    assert 'href="/questionnaires/cssrs_screener/"' in home


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answers",
    [[0, 1, 1, 0, 0, 1, 0, 0, 0], [0, 1, 1, 0, 0, 1, 0, None, None]],
    ids=["item 9 not at all", "item 9 not answered"],
)
def test_no_follow_up_without_a_positive_item_9(ada: User, answers: list[int | None]):
    _submit(ada, "phq9", answers)
    assert not FollowUpOffer.objects.exists()
    assert "cssrs_screener" not in signed_in(ada).get("/").content.decode()


@pytest.mark.django_db
def test_the_clinician_sees_offered_then_completed_with_the_result(ada: User, ben: User):
    phq9 = _submit(ada, "phq9", PHQ9_ITEM9_SEVERAL_DAYS)
    alert = Alert.objects.get(assessment=phq9)
    staff = signed_in(ben)
    page = staff.get(f"/alerts/{alert.id}/").content.decode()
    assert re.search(r"C-SSRS screener offered \d+ \w+ \d{4} \d\d:\d\d, not yet answered", page)
    patient_page = staff.get(f"/patients/{ada.patient_record.id}/").content.decode()
    assert "C-SSRS screener offered" in patient_page and "not yet answered" in patient_page

    cssrs = _submit(ada, "cssrs_screener", CSSRS_WISH_TO_BE_DEAD_ONLY)

    offer = FollowUpOffer.objects.get(trigger=phq9)
    assert (offer.state, offer.response_id) == (FollowUpState.COMPLETED, cssrs.id)
    assert offer.completed_at == cssrs.completed_at
    (completed,) = _actions(AuditAction.FOLLOW_UP_COMPLETED)
    assert completed.actor_id == ada.id and completed.detail["response"] == str(cssrs.id)
    page = staff.get(f"/alerts/{alert.id}/").content.decode()
    assert re.search(
        r"C-SSRS screener offered [^,]+, completed \d+ \w+ \d{4} \d\d:\d\d: risk level low", page
    )
    assert "cssrs_screener" not in signed_in(ada).get("/").content.decode()
    result = signed_in(ada).get(f"/questionnaires/results/{phq9.id}/").content.decode()
    assert "Thank you for answering" in result and "Answer a few more questions now" not in result


@pytest.mark.django_db
def test_closing_the_alert_ends_the_offer_and_the_clinician_sees_it_was_not_answered(
    ada: User, ben: User, sam: User
):
    phq9 = _submit(ada, "phq9", PHQ9_ITEM9_SEVERAL_DAYS)
    alert = alert_visible_to(ben, Alert.objects.get(assessment=phq9).id)
    acknowledge_alert(alert, actor=ben)
    alert = alert_visible_to(ben, alert.id)
    record_alert_action(alert, actor=ben, outcome="contacted_patient", note="Called, safe.")
    close_alert(alert_visible_to(ben, alert.id), actor=ben)

    assert "cssrs_screener" not in signed_in(ada).get("/").content.decode()
    page = signed_in(ben).get(f"/patients/{ada.patient_record.id}/").content.decode()
    assert "not answered (no longer asked: alert closed" in page


@pytest.mark.django_db
def test_the_service_chooses_its_follow_up_questionnaire(ada: User, cleo: User, ben: User):
    with pytest.raises(PermissionDenied):
        set_risk_follow_up(actor=ben, instrument_id="phq2")
    with pytest.raises(InvalidInput):
        set_risk_follow_up(actor=cleo, instrument_id="no_such_questionnaire")
    with pytest.raises(InvalidInput):
        set_risk_follow_up(actor=cleo, instrument_id="epds")  # disabled in the library
    settings_row = set_risk_follow_up(actor=cleo, instrument_id="pcl5")
    assert settings_row.risk_follow_up_instrument == "pcl5"
    (changed,) = _actions(AuditAction.FOLLOW_UP_SETTING_CHANGED)
    assert changed.detail == {"from": "cssrs_screener", "to": "pcl5"}

    phq9 = _submit(ada, "phq9", PHQ9_ITEM9_SEVERAL_DAYS)

    assert FollowUpOffer.objects.get(trigger=phq9).instrument_id == "pcl5"


@pytest.mark.django_db
def test_the_command_changes_the_setting_and_refuses_bad_input_clearly(cleo: User, ben: User):
    out = io.StringIO()
    call_command("monitoring_settings", "show", "--by", "cleo", stdout=out)
    assert "cssrs_screener" in out.getvalue()
    call_command("monitoring_settings", "set-risk-follow-up", "pcl5", "--by", "cleo", stdout=out)
    assert out.getvalue().rstrip().endswith("pcl5")
    with pytest.raises(CommandError, match="cannot be the follow-up"):
        call_command("monitoring_settings", "set-risk-follow-up", "phq9", "--by", "cleo")
    with pytest.raises(CommandError, match="service admin"):
        call_command("monitoring_settings", "show", "--by", "ben")


@pytest.mark.django_db
def test_the_app_schedule_lists_the_follow_up_until_it_is_answered(ada: User):
    client = signed_in(ada)
    _submit(ada, "phq9", PHQ9_ITEM9_SEVERAL_DAYS)

    items = client.get("/api/me/schedule").json()
    follow_ups = [item for item in items if item["follow_up"]]
    assert [(i["measure"], i["state"], i["answer_path"]) for i in follow_ups] == [
        ("cssrs_screener", "due", "/questionnaires/cssrs_screener/")
    ]
    assert items[0] == follow_ups[0]  # most urgent first

    _submit(ada, "cssrs_screener", CSSRS_WISH_TO_BE_DEAD_ONLY)
    assert not [item for item in client.get("/api/me/schedule").json() if item["follow_up"]]
