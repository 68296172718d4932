"""#15 web pages: the suggestions panel on the clinician's patient page and its decision form,
the registry and model cards, the kill switch from the web, override rates, the care team's
review tasks and the patient's "Decisions about my care" with its contest button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from careloop.accounts.types import Role
from careloop.ai.models import Prediction, ReviewTask, Suggestion
from careloop.ai.selectors.registry import model_in_use
from careloop.ai.services.predictions import predict
from careloop.ai.services.suggestions import decide_suggestion
from careloop.ai.tests.conftest import add_questionnaire, phq9
from careloop.ai.types import Decision, ModelKind, ReasonCode, ReviewStatus, SuggestionStatus
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.care.models import Patient
from careloop.care.selectors import patient_visible_to
from careloop.care.services import change_step
from careloop.care.types import CareStep
from conftest import make_user, signed_in


@pytest.fixture
def week3(episode_days_ago, ben):
    """Ada three weeks in, at step 2, PHQ-9 no better (14 then 15)."""
    episode = episode_days_ago(21)
    add_questionnaire(episode, 0, "phq9", phq9(14))
    add_questionnaire(episode, 0, "gad7", [2, 2, 2, 2, 1, 1, 1])
    add_questionnaire(episode, 14, "phq9", phq9(15))
    change_step(ben, episode, CareStep.LOW_INTENSITY, "Guided self-help to start.")
    return episode


@pytest.fixture
def suggestion(early_warning, week3, ben) -> Suggestion:
    predict(patient_visible_to(ben, week3.patient_id), week3, actor=ben)
    return Suggestion.objects.get()


@pytest.fixture
def decided(suggestion, ben) -> Suggestion:
    return decide_suggestion(ben, suggestion, Decision.OVERRIDE, ReasonCode.PATIENT_PREFERENCE)


def _patient_page(patient_id) -> str:
    return reverse("monitoring:patient", kwargs={"patient_id": patient_id})


# ------------------------------------------------------------------ the clinician's panel


def test_the_patient_page_shows_the_suggestion_its_explanation_and_the_form(
    suggestion, ben, ada_patient
):
    page = signed_in(ben).get(_patient_page(ada_patient.id))
    html = page.content.decode()
    assert page.status_code == 200
    assert "This is a suggestion. You decide." in html
    assert suggestion.summary in html
    assert "version test-1" in html
    assert "PHQ-9 rose 1 points in" in html or "PHQ-9 rose 1 point" in html  # the explanation
    assert "raises the estimate" in html
    assert "trained on synthetic" not in html  # the test model says nothing of the kind
    assert "% – Higher band" in html
    assert reverse("ai:decide", args=[suggestion.id]) in html
    assert 'value="override:patient_preference"' in html
    assert reverse("ai:model-card", args=[suggestion.model_version_id]) in html


def test_override_with_a_reason_from_the_web_is_recorded_and_shown(suggestion, ben, ada_patient):
    client = signed_in(ben)
    response = client.post(
        reverse("ai:decide", args=[suggestion.id]),
        {"choice": "override:context_not_in_data", "note": "Starts a new job next week."},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(_patient_page(ada_patient.id))
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.OVERRIDDEN
    assert suggestion.reason == ReasonCode.CONTEXT_NOT_IN_DATA
    assert suggestion.decided_by == ben
    assert suggestion.note == "Starts a new job next week."
    assert AuditEvent.objects.filter(action=AuditAction.AI_SUGGESTION_DECIDED).count() == 1
    html = client.get(_patient_page(ada_patient.id)).content.decode()
    assert "Overridden</strong> by ben on" in html
    assert "Circumstances the data do not show" in html
    assert reverse("ai:decide", args=[suggestion.id]) not in html  # no form once decided


def test_accepting_from_the_web_changes_the_step(suggestion, ben, ada_patient):
    response = signed_in(ben).post(
        reverse("ai:decide", args=[suggestion.id]), {"choice": "accept:agrees_clinically"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED and suggestion.step_changed


@pytest.mark.parametrize(
    ("data", "field_id"),
    [
        ({"choice": "accept:clinical_judgement"}, "choice-error"),  # a reason of another decision
        ({}, "choice-error"),
        ({"choice": "defer:need_more_information", "note": "x" * 2001}, "note-error"),
    ],
)
def test_a_refused_decision_comes_back_with_the_error_by_its_field(suggestion, ben, data, field_id):
    response = signed_in(ben).post(reverse("ai:decide", args=[suggestion.id]), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="ai-{suggestion.id}-{field_id}"' in html
    assert html.count(f"ai-{suggestion.id}-{field_id}") >= 2  # the id and aria-describedby
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.OPEN


def test_outsiders_and_other_roles_cannot_see_or_decide(suggestion, dana, ada, service):
    rae = make_user(service, "rae", Role.RESEARCHER)
    cleo = make_user(service, "cleo", Role.SERVICE_ADMIN)
    url = reverse("ai:decide", args=[suggestion.id])
    for user in (dana, ada, rae, cleo):
        client = signed_in(user)
        assert client.post(url, {"choice": "accept:agrees_clinically"}).status_code == 404
        assert client.post(reverse("ai:check-now", args=[suggestion.patient_id])).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.OPEN


def test_the_supervisor_sees_the_form_and_a_deferred_suggestion_waits(suggestion, sam):
    client = signed_in(sam)
    client.post(
        reverse("ai:decide", args=[suggestion.id]), {"choice": "defer:discuss_in_supervision"}
    )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DEFERRED
    html = client.get(_patient_page(suggestion.patient_id)).content.decode()
    assert "deferred by sam" in html and reverse("ai:decide", args=[suggestion.id]) in html


def test_check_now_makes_the_suggestions_due(early_warning, week3, ben, ada_patient):
    response = signed_in(ben).post(reverse("ai:check-now", args=[ada_patient.id]))
    assert response.status_code == 302
    assert Prediction.objects.count() == 1
    assert Suggestion.objects.filter(source="model").count() == 1


# ------------------------------------------------------------------ registry, cards, kill switch


def test_the_registry_and_cards_are_for_staff_only(early_warning, ben, ada, service):
    client = signed_in(ben)
    html = client.get(reverse("ai:registry")).content.decode()
    assert "Early warning of non-response" in html and "Version test-1" in html
    assert "Switched on." in html
    assert "Switch the early-warning model off" not in html  # only the service admin
    card = client.get(reverse("ai:model-card", args=[early_warning.id]))
    assert card.status_code == 200
    assert "Intended use" in card.content.decode() and "Fairness gate" in card.content.decode()
    assert client.get(reverse("ai:audit-report", args=[early_warning.id])).status_code == 404
    for outsider in (signed_in(ada),):
        assert outsider.get(reverse("ai:registry")).status_code == 404
        assert outsider.get(reverse("ai:model-card", args=[early_warning.id])).status_code == 404
    other = make_user(
        type(service).objects.create(slug="other", name="Other"), "oz", Role.CLINICIAN
    )
    assert (
        signed_in(other).get(reverse("ai:model-card", args=[early_warning.id])).status_code == 404
    )


def test_a_synthetic_model_says_so_and_shows_its_audit(early_warning, ben):
    early_warning.training_data = "1,200 SYNTHETIC episodes from the demo generator"
    early_warning.per_group = {
        "gender": {
            "female": {
                "n": 40,
                "sensitivity": {"value": 0.7, "ci_low": 0.6, "ci_high": 0.8},
                "false_positive_rate": {"suppressed": "fewer than 30"},
                "ppv": {"value": 0.5, "ci_low": 0.4, "ci_high": 0.6},
                "ece": {"value": 0.05, "ci_low": 0.02, "ci_high": 0.08},
            }
        }
    }
    early_warning.save()
    client = signed_in(ben)
    html = client.get(reverse("ai:model-card", args=[early_warning.id])).content.decode()
    assert "SYNTHETIC DATA." in html
    assert "70.0 % (60.0–80.0)" in html and "By gender" in html
    report = client.get(reverse("ai:audit-report", args=[early_warning.id]))
    assert report.status_code == 200 and b"Fairness audit" in report.content


def test_the_kill_switch_from_the_web_falls_back_to_the_rules(
    early_warning, week3, ben, service, ada_patient
):
    cleo = make_user(service, "cleo", Role.SERVICE_ADMIN)
    admin = signed_in(cleo)
    assert (
        signed_in(ben).post(reverse("ai:switch"), {"state": "off", "reason": "x"}).status_code
        == 404
    )
    refused = admin.post(reverse("ai:switch"), {"state": "off", "reason": " "})
    assert refused.status_code == 422 and b'id="switch-reason-error"' in refused.content
    assert model_in_use(service.id, ModelKind.EARLY_WARNING) is not None

    response = admin.post(
        reverse("ai:switch"), {"state": "off", "reason": "Odd estimates after the update"}
    )
    assert response.status_code == 302
    assert model_in_use(service.id, ModelKind.EARLY_WARNING) is None
    html = admin.get(reverse("ai:registry")).content.decode()
    assert "Switched off." in html and "Odd estimates after the update" in html
    assert "Switch the early-warning model on" in html
    assert AuditEvent.objects.filter(action=AuditAction.AI_MODEL_SWITCHED_OFF).count() == 1

    clinician = signed_in(ben)
    clinician.post(reverse("ai:check-now", args=[ada_patient.id]))
    assert Prediction.objects.count() == 0  # no estimate while off
    page = clinician.get(_patient_page(ada_patient.id)).content.decode()
    assert "The early-warning model is switched off in this service." in page

    admin.post(reverse("ai:switch"), {"state": "on", "reason": ""})
    assert model_in_use(service.id, ModelKind.EARLY_WARNING) is not None
    clinician.post(reverse("ai:check-now", args=[ada_patient.id]))
    assert Prediction.objects.count() == 1


def test_override_rates_on_the_dashboard_and_the_review_list(decided, sam):
    client = signed_in(sam)
    html = client.get(reverse("analytics:dashboard")).content.decode()
    assert "how often clinicians overrode them" in html
    assert "1 decision: 0 accepted, 1 overridden, 0 deferred." in html
    assert "not shown: too few" in html  # one decision: the rate is hidden
    assert "The patient prefers otherwise" in html
    listing = client.get(reverse("supervision:review-list")).content.decode()
    assert decided.summary in listing and "The patient prefers otherwise" in listing
    assert reverse("ai:reviews") in listing


# ------------------------------------------------------------------ the patient and the review


def test_the_patient_asks_for_a_review_the_clinician_answers_and_the_patient_sees_it(
    decided, ada, ben, dana
):
    patient = signed_in(ada)
    page = patient.get(reverse("decisions:mine"))
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "Decisions about my care" in html
    assert "Your clinician decided otherwise" in html
    assert "your first PHQ-9 score (mood questionnaire)" in html
    assert reverse("messaging:mine") in html and reverse("rights:data") in html
    assert "Ask a person to look at this again" in html

    asked = patient.post(
        reverse("decisions:ask-review", args=[decided.id]),
        {"message": "My sleep answers were from a bad week."},
    )
    assert asked.status_code == 302
    task = ReviewTask.objects.get()
    assert task.message == "My sleep answers were from a bad week."
    html = patient.get(reverse("decisions:mine")).content.decode()
    assert "You asked a person to look again." in html
    assert "Ask a person to look at this again" not in html
    patient.post(reverse("decisions:ask-review", args=[decided.id]), {"message": "again"})
    assert ReviewTask.objects.count() == 1

    clinician = signed_in(ben)
    listing = clinician.get(reverse("ai:reviews")).content.decode()
    assert "Ada Test" in listing and reverse("ai:review", args=[task.id]) in listing
    assert signed_in(dana).get(reverse("ai:review", args=[task.id])).status_code == 404
    assert "Ada Test" not in signed_in(dana).get(reverse("ai:reviews")).content.decode()
    form = clinician.get(reverse("ai:review", args=[task.id])).content.decode()
    assert "My sleep answers were from a bad week." in form
    empty = clinician.post(reverse("ai:review", args=[task.id]), {"answer": " "})
    assert empty.status_code == 422 and b'id="answer-error"' in empty.content
    done = clinician.post(
        reverse("ai:review", args=[task.id]),
        {"answer": "We looked again with you: staying on guided self-help for now."},
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == ReviewStatus.ANSWERED and task.answered_by == ben

    html = patient.get(reverse("decisions:mine")).content.decode()
    assert "We looked again with you: staying on guided self-help for now." in html
    assert "Your care team answered on" in html


def test_only_the_patient_sees_their_decisions(decided, ada, ben, service, north):
    eve = make_user(service, "eve", Role.PATIENT)
    Patient.objects.create(service=service, user=eve, care_team=north, display_name="Eve")
    assert signed_in(ben).get(reverse("decisions:mine")).status_code == 404
    other = signed_in(eve)
    assert "Choice made on" not in other.get(reverse("decisions:mine")).content.decode()
    response = other.post(reverse("decisions:ask-review", args=[decided.id]), {"message": "x"})
    assert response.status_code == 404 and ReviewTask.objects.count() == 0
    assert signed_in(ada).get(reverse("ai:reviews")).status_code == 404


def test_an_overdue_request_is_highlighted(decided, ada, ben, time_machine):
    signed_in(ada).post(reverse("decisions:ask-review", args=[decided.id]), {"message": ""})
    task = ReviewTask.objects.get()
    time_machine.move_to(task.due_at + timedelta(minutes=1))
    html = signed_in(ben).get(reverse("ai:reviews")).content.decode()
    assert 'class="ai-overdue"' in html and "1 request is past its deadline." in html
