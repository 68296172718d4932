"""#15 end to end on the database: predictions carry the model version and inputs; the
clinician overrides or accepts with a reason; the kill switch falls back to the rules at once;
the patient's contest creates a task a clinician answers and the patient sees the answer;
a prediction never touches safety."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.db import connection

from careloop.accounts.types import Role
from careloop.ai.models import ModelVersion, Prediction, ReviewTask, Suggestion
from careloop.ai.selectors.oversight import (
    overridden_for_supervisor,
    override_rates,
    receipt_suggestion_for_patient,
    receipts_for_patient,
    review_task_for,
    review_tasks_for,
    suggestion_for,
    suggestions_for_patient,
)
from careloop.ai.selectors.registry import model_in_use
from careloop.ai.services.predictions import make_due_predictions, predict
from careloop.ai.services.registry import set_model_switch
from careloop.ai.services.reviews import add_working_days, answer_review, request_human_review
from careloop.ai.services.suggestions import decide_suggestion, refresh_suggestions
from careloop.ai.tests.conftest import add_questionnaire, phq9
from careloop.ai.types import Decision, ModelKind, ReasonCode, ReviewStatus, SuggestionSource
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.care.selectors import for_system, patient_visible_to, stepped_care_of
from careloop.care.services import change_step
from careloop.care.types import CareStep
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from careloop.monitoring.supervision.suggestions import overridden_suggestions
from careloop.safety.models import Alert
from conftest import submit_answers

NOTE = "Ada starts a new job next week; we agreed to review in two weeks."


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


@pytest.fixture
def week3(episode_days_ago, ben):
    """Ada three weeks in, at step 2: PHQ-9 14 at the start and 15 at week 2 (no better)."""
    episode = episode_days_ago(21)
    add_questionnaire(episode, 0, "phq9", phq9(14))
    add_questionnaire(episode, 0, "gad7", [2, 2, 2, 2, 1, 1, 1])
    add_questionnaire(episode, 14, "phq9", phq9(15))
    change_step(ben, episode, CareStep.LOW_INTENSITY, "Guided self-help to start.")
    return episode


def test_a_prediction_keeps_the_model_version_its_inputs_and_an_exact_explanation(
    early_warning, week3, ben
):
    patient = patient_visible_to(ben, week3.patient_id)
    prediction = predict(patient, week3, actor=ben)

    assert prediction.model_version_id == early_warning.id
    assert prediction.inputs["phq9_baseline"] == 14 and prediction.inputs["phq9_change"] == 1
    assert prediction.as_of_day == 21
    assert prediction.probability == pytest.approx(1 / (1 + math.exp(-1)))
    assert prediction.band == "higher"
    words = [item["words"] for item in prediction.explanation]
    assert words[0] == "PHQ-9 rose 1 points in 2 weeks (raises the risk)"
    logit = prediction.baseline_log_odds + sum(i["log_odds"] for i in prediction.explanation)
    assert logit == pytest.approx(math.log(prediction.probability / (1 - prediction.probability)))
    # stored as made: the same row comes back, and it was audited once, for Ada
    assert predict(patient, week3) == prediction
    [event] = _events(AuditAction.AI_PREDICTION_RECORDED)
    assert event.patient_ref and event.detail == {"model": "test-1", "band": "higher"}


def test_a_higher_estimate_suggests_stepping_up_with_its_reasons(early_warning, week3, ben):
    patient = patient_visible_to(ben, week3.patient_id)
    predict(patient, week3, actor=ben)

    [view] = suggestions_for_patient(ben, week3.patient_id)
    assert view.source == SuggestionSource.MODEL and view.version == "test-1"
    assert view.current_step == CareStep.LOW_INTENSITY.label
    assert view.suggested_step == CareStep.HIGH_INTENSITY.label
    assert view.reasons[0].startswith("PHQ-9 rose 1 points")
    assert view.probability == pytest.approx(0.731, abs=1e-3)
    assert ("clinical_judgement", "My clinical judgement differs") in view.reason_choices[
        "override"
    ]


def test_outsiders_get_not_found_for_suggestions_and_predictions(early_warning, week3, ben, dana):
    predict(for_system(week3.patient, reason="test"), week3)
    suggestion = Suggestion.objects.get()
    with pytest.raises(NotFound):
        suggestions_for_patient(dana, week3.patient_id)
    with pytest.raises(NotFound):
        suggestion_for(dana, suggestion.id)
    with pytest.raises(NotFound):
        decide_suggestion(dana, suggestion, Decision.ACCEPT, ReasonCode.AGREES_CLINICALLY)


def _alerts() -> list[tuple[object, ...]]:
    return list(Alert.objects.values_list("id", "status", "severity", "rule_id").order_by("id"))


def test_an_estimate_leaves_every_alert_as_it_was(early_warning, week3, ada, ben):
    """A positive item 9 raises an alert through the real submission; the estimate afterwards
    changes no alert and raises none (it never lowers a rule-based risk level)."""
    submit_answers(week3.patient, ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 3])
    before = _alerts()
    assert before, "the submission raised its safety alert"
    alert_events = AuditEvent.objects.filter(action__startswith="alert.").count()

    prediction = predict(patient_visible_to(ben, week3.patient_id), week3, actor=ben)

    assert prediction is not None and prediction.band == "lower"  # 14 -> 11: a fall
    assert _alerts() == before
    assert AuditEvent.objects.filter(action__startswith="alert.").count() == alert_events


def test_override_with_a_reason_is_recorded_audited_and_reported(early_warning, week3, ben, sam):
    predict(patient_visible_to(ben, week3.patient_id), week3, actor=ben)
    suggestion = Suggestion.objects.get()

    decided = decide_suggestion(
        ben, suggestion, Decision.OVERRIDE, ReasonCode.CONTEXT_NOT_IN_DATA, NOTE
    )

    assert decided.status == "overridden" and decided.reason == "context_not_in_data"
    assert stepped_care_of(patient_visible_to(ben, week3.patient_id)).current == 2
    [event] = _events(AuditAction.AI_SUGGESTION_DECIDED)
    assert event.detail["decision"] == "override" and NOTE not in str(event.detail)
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM ai_suggestion")
        (stored,) = cursor.fetchone()
    assert "new job" not in stored  # encrypted at rest
    report = override_rates(sam)
    assert report.overall.decided == 1 and report.overall.overridden == 1
    assert not report.overall.shown  # fewer than 5 decisions: the rate is not shown
    assert report.by_clinician["ben"].overridden == 1
    assert "Early-warning model test-1" in report.by_model
    assert report.by_group["gender"]
    [row] = overridden_for_supervisor(sam, clock.now() - timedelta(days=1))
    assert row.patient_name == "Ada Test" and row.reason == "Circumstances the data do not show"
    assert overridden_suggestions(sam, clock.now() - timedelta(days=1)) == [row]
    with pytest.raises(Conflict):
        decide_suggestion(ben, suggestion, Decision.ACCEPT, ReasonCode.AGREES_CLINICALLY)


def test_accepting_a_step_suggestion_changes_the_step(early_warning, week3, ben):
    predict(patient_visible_to(ben, week3.patient_id), week3, actor=ben)
    suggestion = Suggestion.objects.get()
    decided = decide_suggestion(ben, suggestion, Decision.ACCEPT, ReasonCode.AGREED_WITH_PATIENT)
    assert decided.step_changed
    care = stepped_care_of(patient_visible_to(ben, week3.patient_id))
    assert care.current == CareStep.HIGH_INTENSITY
    assert "computer-assisted suggestion" in care.history[0].reason


@pytest.mark.parametrize(
    ("decision", "reason", "note"),
    [
        ("accept", ReasonCode.CLINICAL_JUDGEMENT, ""),  # an override's reason
        ("override", ReasonCode.AGREES_CLINICALLY, ""),
        ("maybe", ReasonCode.AGREES_CLINICALLY, ""),
        ("defer", ReasonCode.DISCUSS_IN_SUPERVISION, "x" * 2001),
    ],
)
def test_a_decision_needs_a_reason_that_fits_it(early_warning, week3, ben, decision, reason, note):
    predict(patient_visible_to(ben, week3.patient_id), week3, actor=ben)
    with pytest.raises(InvalidInput):
        decide_suggestion(ben, Suggestion.objects.get(), decision, reason, note)


def test_a_deferred_suggestion_waits_and_can_be_decided_later(early_warning, week3, ben):
    predict(patient_visible_to(ben, week3.patient_id), week3, actor=ben)
    suggestion = Suggestion.objects.get()
    decide_suggestion(ben, suggestion, Decision.DEFER, ReasonCode.DISCUSS_WITH_PATIENT)
    [waiting] = refresh_suggestions(patient_visible_to(ben, week3.patient_id), actor=ben)
    assert waiting.status == "deferred"
    decide_suggestion(ben, suggestion, Decision.OVERRIDE, ReasonCode.PATIENT_PREFERENCE)


def test_the_kill_switch_falls_back_to_the_rules_at_once(early_warning, week3, ben, cleo):
    patient = patient_visible_to(ben, week3.patient_id)
    with pytest.raises(PermissionDenied):
        set_model_switch(ben, ModelKind.EARLY_WARNING, off=True, reason="not mine to switch")
    with pytest.raises(InvalidInput):
        set_model_switch(cleo, ModelKind.EARLY_WARNING, off=True, reason="")
    with pytest.raises(InvalidInput):
        set_model_switch(cleo, ModelKind.CRISIS_TEXT, off=True, reason="safety's own switch")

    set_model_switch(cleo, ModelKind.EARLY_WARNING, off=True, reason="Audit found drift")

    assert model_in_use(week3.service_id, ModelKind.EARLY_WARNING) is None
    assert predict(patient, week3) is None
    assert refresh_suggestions(patient, actor=ben) == []  # no model suggestion; rules: nothing due
    assert not Prediction.objects.exists()
    [event] = _events(AuditAction.AI_MODEL_SWITCHED_OFF)
    assert event.detail == {"kind": "early_warning"}

    set_model_switch(cleo, ModelKind.EARLY_WARNING, off=False)
    assert predict(patient, week3) is not None
    assert _events(AuditAction.AI_MODEL_SWITCHED_ON)


def test_with_the_model_off_the_rules_still_suggest_at_assessment(
    early_warning, episode_days_ago, ben, cleo
):
    episode = episode_days_ago(3)
    add_questionnaire(episode, 0, "phq9", phq9(22))
    set_model_switch(cleo, ModelKind.EARLY_WARNING, off=True, reason="Paused by the lead")
    [suggestion] = refresh_suggestions(patient_visible_to(ben, episode.patient_id), actor=ben)
    assert suggestion.source == SuggestionSource.RULES and suggestion.suggested_step == 3
    assert suggestion.model_version.kind == ModelKind.STEPPED_CARE_RULES
    assert "severe range" in suggestion.explanation[0]["words"]


def test_the_model_never_suggests_less_care_than_the_current_step(early_warning, week3, ben):
    change_step(ben, week3, CareStep.HIGH_INTENSITY, "Stepped up at assessment review.")
    prediction = predict(patient_visible_to(ben, week3.patient_id), week3, actor=ben)
    assert prediction.band == "higher"
    assert not Suggestion.objects.exists()


def test_the_worker_job_predicts_for_episodes_in_weeks_two_to_four(early_warning, week3):
    from careloop.ai.services import predictions

    predictions._last_run["at"] = -1e9
    assert make_due_predictions() == 1
    assert Prediction.objects.get().episode_id == week3.id
    predictions._last_run["at"] = -1e9
    assert make_due_predictions() == 0  # one per episode and version


def test_no_estimate_outside_weeks_two_to_four(early_warning, episode_days_ago, ben):
    episode = episode_days_ago(50)
    add_questionnaire(episode, 0, "phq9", phq9(14))
    add_questionnaire(episode, 14, "phq9", phq9(12))
    with pytest.raises(InvalidInput, match="weeks 2-4"):
        predict(patient_visible_to(ben, episode.patient_id), episode)


# ------------------------------------------------------------------ receipts and contest


@pytest.fixture
def decided(early_warning, week3, ben) -> Suggestion:
    predict(patient_visible_to(ben, week3.patient_id), week3, actor=ben)
    return decide_suggestion(
        ben, Suggestion.objects.get(), Decision.OVERRIDE, ReasonCode.PATIENT_PREFERENCE
    )


def test_the_patient_sees_a_receipt_in_plain_words(decided, ada):
    [receipt] = receipts_for_patient(ada)
    assert receipt.what_was_suggested == (
        "A suggestion from a computer model: to move you to "
        "Step 3: high-intensity psychological therapy."
    )
    assert receipt.what_was_decided.startswith("Your clinician decided otherwise")
    assert "your first PHQ-9 score (mood questionnaire)" in receipt.data_used
    assert "message" in receipt.how_to_correct and receipt.can_ask_for_review
    assert receipt.who_decided == "ben"


def test_an_undecided_suggestion_is_no_receipt(early_warning, week3, ben, ada):
    predict(patient_visible_to(ben, week3.patient_id), week3, actor=ben)
    assert receipts_for_patient(ada) == []
    with pytest.raises(NotFound):
        request_human_review(ada, Suggestion.objects.get(), "Please look again")


def test_a_contest_creates_a_task_a_clinician_answers_and_the_patient_sees(
    decided, ada, ben, dana, sam
):
    suggestion = receipt_suggestion_for_patient(ada, decided.id)
    task = request_human_review(ada, suggestion, "My sleep answers were from a bad week.")

    assert task.status == ReviewStatus.OPEN
    assert task.due_at == add_working_days(task.requested_at, 5)
    assert (task.due_at - task.requested_at).days in (5, 6, 7)
    with pytest.raises(Conflict):
        request_human_review(ada, suggestion, "again")
    [listed] = review_tasks_for(ben)
    assert listed.message == "My sleep answers were from a bad week." and not listed.overdue
    assert review_tasks_for(dana) == []
    with pytest.raises(NotFound):
        review_task_for(dana, task.id)
    with pytest.raises(NotFound):
        answer_review(dana, task, "Not my patient")
    [receipt] = receipts_for_patient(ada)
    assert receipt.review_status == "open" and not receipt.can_ask_for_review

    answer_review(ben, task, "We looked again with you: staying on guided self-help for now.")

    [receipt] = receipts_for_patient(ada)
    assert receipt.review_status == "answered"
    assert receipt.review_answer.startswith("We looked again with you")
    assert review_tasks_for(ben) == []
    assert review_tasks_for(sam, include_answered=True)[0].answered_by == "ben"
    assert [e.detail for e in _events(AuditAction.AI_HUMAN_REVIEW_ANSWERED)] == [{"late": False}]
    with pytest.raises(Conflict):
        answer_review(ben, task, "twice")


def test_an_unanswered_request_turns_overdue(decided, ada, ben, time_machine):
    task = request_human_review(ada, decided, "")
    time_machine.move_to(task.due_at + timedelta(minutes=1))
    [listed] = review_tasks_for(ben)
    assert listed.overdue


def test_another_patient_cannot_contest_adas_decision(decided, service, north):
    from careloop.care.models import Patient
    from conftest import make_user

    eve = make_user(service, "eve", Role.PATIENT)
    Patient.objects.create(service=service, user=eve, care_team=north, display_name="Eve")
    with pytest.raises(NotFound):
        request_human_review(eve, decided, "not mine")
    with pytest.raises(NotFound):
        receipt_suggestion_for_patient(eve, decided.id)


def test_working_days_skip_the_weekend():
    from datetime import UTC, datetime

    friday = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    assert add_working_days(friday, 1) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert add_working_days(friday, 5) == datetime(2026, 12, 11, 10, 0, tzinfo=UTC)


def test_review_tasks_and_suggestions_are_exported_and_erased(decided, ada, ada_patient):
    from careloop.core.patient_data import PatientScope, registered
    from careloop.rights.data.export import iter_resources

    request_human_review(ada, decided, "Please check")
    codes = {
        r["code"]["coding"][0]["code"]
        for r in iter_resources(ada_patient)
        if r["resourceType"] == "ClinicalImpression"
    }
    assert {"ai-early-warning", "ai-suggestion", "ai-human-review"} <= codes
    entries = registered()
    scope = PatientScope(ada_patient, ada)
    for label in ("ai.ReviewTask", "ai.Suggestion", "ai.Prediction"):
        erase = entries[label].erase
        assert erase is not None and erase(scope) == 1
    assert not ReviewTask.objects.exists() and not Prediction.objects.exists()
    assert ModelVersion.objects.filter(kind=ModelKind.EARLY_WARNING).exists()


def test_the_rules_step_up_at_the_review_when_not_on_track(episode_days_ago, ben):
    """No model at all: at day 75 a patient barely better than at the start (14 -> 13) gets the
    rules' review suggestion to step up, with the rule in words; once only."""
    episode = episode_days_ago(75)
    for day, total in ((0, 14), (70, 13)):
        add_questionnaire(episode, day, "phq9", phq9(total))
        add_questionnaire(episode, day, "gad7", [2, 2, 1, 1, 1, 1, 1])
    change_step(ben, episode, CareStep.LOW_INTENSITY, "Guided self-help to start.")
    patient = patient_visible_to(ben, episode.patient_id)

    [suggestion] = refresh_suggestions(patient, actor=ben)

    assert suggestion.source == SuggestionSource.RULES and suggestion.moment == "review"
    assert suggestion.current_step == 2 and suggestion.suggested_step == 3
    assert suggestion.explanation[0]["rule"] == "not_improved_at_review"
    assert suggestion.inputs["reliable_improvement"] is False
    assert refresh_suggestions(patient, actor=ben) == [suggestion]
    assert Suggestion.objects.count() == 1
    assert not Prediction.objects.exists()  # no model is active: the rules alone


def test_the_rules_job_makes_the_suggestion_due_at_assessment(episode_days_ago, ben):
    from careloop.ai.services import suggestions

    episode = episode_days_ago(2)
    add_questionnaire(episode, 0, "phq9", phq9(21))
    suggestions._last_run["at"] = -1e9
    assert suggestions.make_due_suggestions() == 1
    [row] = Suggestion.objects.all()
    assert row.moment == "assessment" and row.suggested_step == 3 and row.episode_id == episode.id
    suggestions._last_run["at"] = -1e9
    assert suggestions.make_due_suggestions() == 0  # once per episode and moment
    assert suggestions.make_due_suggestions() == 0  # and not before the next hour


def test_the_rules_never_suggest_stepping_down(episode_days_ago, ben):
    episode = episode_days_ago(3)
    add_questionnaire(episode, 0, "phq9", phq9(12))  # the rules alone would say step 2
    change_step(ben, episode, CareStep.HIGH_INTENSITY, "Long history; agreed with the patient.")
    assert refresh_suggestions(patient_visible_to(ben, episode.patient_id), actor=ben) == []
