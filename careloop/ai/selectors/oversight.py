"""Reads for human oversight: suggestions on the patient page, the decisions, override rates,
the supervisor's "suggestions overridden" list, the patient's decision receipts and the review
tasks. Patient data only through the care access decision (outsiders: NotFound → 404).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as noop

from careloop.accounts.types import Role
from careloop.ai.models import Prediction, ReviewTask, Suggestion
from careloop.ai.selectors.history import groups_of_patient
from careloop.ai.types import (
    Decision,
    ReasonCode,
    ReviewStatus,
    SuggestionSource,
    SuggestionStatus,
)
from careloop.care.selectors import own_patient_record, patient_visible_to, patients_visible_to
from careloop.care.types import CareStep
from careloop.core import clock
from careloop.core.errors import NotFound

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient
    from careloop.monitoring.supervision.suggestions import OverriddenSuggestion

MIN_DECISIONS_SHOWN = 5  # a rate over fewer decisions is not shown (small-n suppression)


def _name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.username)


def _step(step: int | None) -> str:
    return CareStep(step).label if step in CareStep.values else _("not recorded")


# ------------------------------------------------------------------ the clinician's patient page


@dataclass(frozen=True)
class SuggestionView:
    """One suggestion as the clinician sees it beside the chart."""

    id: uuid.UUID
    source: str  # SuggestionSource value
    source_label: str
    moment_label: str
    version: str
    summary: str
    current_step: str
    suggested_step: str
    suggested_step_value: int
    reasons: list[str]  # plain words, largest effect first (model) or the rules that fired
    probability: float | None  # the early-warning estimate, 0-1 (model suggestions)
    status: str
    status_label: str
    decision_reason: str
    decided_by: str
    decided_at: datetime | None
    created_at: datetime
    reason_choices: dict[str, list[tuple[str, str]]]  # decision -> [(code, label)]


def _reason_choices() -> dict[str, list[tuple[str, str]]]:
    from careloop.ai.types import REASONS_FOR

    return {
        decision: [(code, ReasonCode(code).label) for code in codes]
        for decision, codes in REASONS_FOR.items()
    }


def _view(row: Suggestion) -> SuggestionView:
    return SuggestionView(
        id=row.id,
        source=row.source,
        source_label=SuggestionSource(row.source).label,
        moment_label=row.get_moment_display(),
        version=row.model_version.version,
        summary=row.summary,
        current_step=_step(row.current_step),
        suggested_step=_step(row.suggested_step),
        suggested_step_value=row.suggested_step,
        reasons=[str(item.get("words", "")) for item in row.explanation],
        probability=row.prediction.probability if row.prediction is not None else None,
        status=row.status,
        status_label=SuggestionStatus(row.status).label,
        decision_reason=ReasonCode(row.reason).label if row.reason else "",
        decided_by=_name(row.decided_by),
        decided_at=row.decided_at,
        created_at=row.created_at,
        reason_choices=_reason_choices(),
    )


def suggestions_of(patient: Patient) -> list[SuggestionView]:
    """Every suggestion for a patient a selector opened, newest first (two queries)."""
    rows = (
        Suggestion.objects.filter(service_id=patient.service_id, patient=patient)
        .select_related("model_version", "prediction", "decided_by")
        .order_by("-created_at")
    )
    return [_view(row) for row in rows]


def suggestions_for_patient(user: User, patient_id: uuid.UUID) -> list[SuggestionView]:
    """The patient page's suggestions panel: NotFound unless `user` may see the patient."""
    return suggestions_of(patient_visible_to(user, patient_id))


def suggestion_for(user: User, suggestion_id: uuid.UUID) -> Suggestion:
    """A suggestion of a patient `user` may see (for the decision form); NotFound otherwise."""
    if not user.is_authenticated or user.service_id is None:
        raise NotFound("suggestion")
    row = Suggestion.objects.filter(service_id=user.service_id, id=suggestion_id).first()
    if row is None:
        raise NotFound("suggestion")
    patient_visible_to(user, row.patient_id)  # NotFound for anyone outside the care team
    return row


@dataclass(frozen=True)
class PredictionView:
    id: uuid.UUID
    version: str
    probability: float
    band: str
    made_at: datetime
    week: int
    reasons: list[dict[str, Any]]  # {feature, value, log_odds, words}
    baseline_log_odds: float


def latest_prediction_of(patient: Patient) -> PredictionView | None:
    row = (
        Prediction.objects.filter(service_id=patient.service_id, patient=patient)
        .select_related("model_version")
        .order_by("-made_at")
        .first()
    )
    if row is None:
        return None
    return PredictionView(
        row.id,
        row.model_version.version,
        row.probability,
        row.band,
        row.made_at,
        row.as_of_day // 7,
        list(row.explanation),
        row.baseline_log_odds,
    )


def latest_prediction_for(user: User, patient_id: uuid.UUID) -> PredictionView | None:
    return latest_prediction_of(patient_visible_to(user, patient_id))


# ------------------------------------------------------------------ override rates


@dataclass
class Rate:
    decided: int = 0
    overridden: int = 0
    accepted: int = 0
    deferred: int = 0

    @property
    def shown(self) -> bool:
        return self.decided >= MIN_DECISIONS_SHOWN

    @property
    def override_rate(self) -> float | None:
        return self.overridden / self.decided if self.shown and self.decided else None


@dataclass(frozen=True)
class OverrideReport:
    overall: Rate
    by_clinician: dict[str, Rate]
    by_model: dict[str, Rate]  # "Early-warning model 2026.12.07-1" -> rate
    by_group: dict[str, dict[str, Rate]]  # dimension -> group -> rate
    by_reason: dict[str, int] = field(default_factory=dict)
    min_shown: int = MIN_DECISIONS_SHOWN


def _decided_rows(user: User, since: datetime | None) -> list[Suggestion]:
    if user.service_id is None:
        return []
    if user.role == Role.SERVICE_ADMIN:
        rows = Suggestion.objects.filter(service_id=user.service_id)
    elif user.role in (Role.SUPERVISOR, Role.CLINICIAN):
        rows = Suggestion.objects.filter(
            service_id=user.service_id, patient_id__in=patients_visible_to(user).values("id")
        )
    else:
        return []
    rows = rows.exclude(decision="")
    if since is not None:
        rows = rows.filter(decided_at__gte=since)
    return list(rows.select_related("decided_by", "model_version", "patient"))


def override_rates(user: User, *, since: datetime | None = None) -> OverrideReport:
    """How often clinicians overrode suggestions: overall, by clinician, by model version and
    by patient group (ethnicity, gender, age band, language, deprivation). A supervisor or
    clinician sees their teams' patients; the service admin the whole service (counts only).
    A rate over fewer than MIN_DECISIONS_SHOWN decisions is not shown (`Rate.shown`)."""
    overall = Rate()
    by_clinician: dict[str, Rate] = defaultdict(Rate)
    by_model: dict[str, Rate] = defaultdict(Rate)
    by_group: dict[str, dict[str, Rate]] = defaultdict(lambda: defaultdict(Rate))
    reasons: Counter[str] = Counter()
    for row in _decided_rows(user, since):
        rates = [
            overall,
            by_clinician[_name(row.decided_by)],
            by_model[f"{SuggestionSource(row.source).label} {row.model_version.version}"],
        ]
        on = (row.decided_at or clock.now()).date()
        for dimension, group in groups_of_patient(row.patient, on).items():
            rates.append(by_group[dimension][group])
        for rate in rates:
            rate.decided += 1
            rate.overridden += row.decision == Decision.OVERRIDE
            rate.accepted += row.decision == Decision.ACCEPT
            rate.deferred += row.decision == Decision.DEFER
        if row.decision == Decision.OVERRIDE:
            reasons[ReasonCode(row.reason).label] += 1
    return OverrideReport(
        overall,
        dict(by_clinician),
        dict(by_model),
        {dimension: dict(groups) for dimension, groups in by_group.items()},
        dict(reasons),
    )


def overridden_for_supervisor(user: User, since: datetime) -> list[OverriddenSuggestion]:
    """The supervision review list's "suggestions overridden" source (registered in
    AiConfig.ready()): the suggestions the user's teams overrode since `since`."""
    from careloop.monitoring.supervision.suggestions import OverriddenSuggestion

    if user.role not in (Role.SUPERVISOR, Role.CLINICIAN) or user.service_id is None:
        return []
    rows = (
        Suggestion.objects.filter(
            service_id=user.service_id,
            patient_id__in=patients_visible_to(user).values("id"),
            status=SuggestionStatus.OVERRIDDEN,
            decided_at__gte=since,
        )
        .select_related("patient", "decided_by")
        .order_by("-decided_at")
    )
    return [
        OverriddenSuggestion(
            patient_id=row.patient_id,
            patient_name=row.patient.display_name,
            suggested=row.summary,
            decided=_("Stayed on {step}").format(step=_step(row.current_step)),
            decided_by=_name(row.decided_by),
            decided_at=row.decided_at or row.created_at,
            reason=ReasonCode(row.reason).label if row.reason else "",
        )
        for row in rows
    ]


# ------------------------------------------------------------------ the patient's receipts


@dataclass(frozen=True)
class Receipt:
    """A decision about the patient's care that an AI suggestion influenced, in plain words."""

    id: uuid.UUID  # the suggestion's id (request_human_review takes the suggestion)
    decided_at: datetime
    what_was_suggested: str
    what_was_decided: str
    who_decided: str
    data_used: list[str]
    how_it_works: str
    how_to_correct: str
    review_status: str  # "" (none asked), "open", "answered"
    review_due_at: datetime | None
    review_answer: str
    review_answered_at: datetime | None
    can_ask_for_review: bool


# Marked with gettext_noop so makemessages extracts them; translated when shown (_()).
_HOW_MODEL = noop(
    "A computer model estimated how likely your treatment was to help by week 12, from your "
    "questionnaire answers and check-ins so far. It suggests; your clinician decides."
)
_HOW_RULES = noop(
    "Written rules agreed by the service's clinicians suggested a level of care from your "
    "questionnaire scores. They suggest; your clinician decides."
)
_HOW_TO_CORRECT = noop(
    "Is an answer or score it used wrong? Tell your care team in a message. Or ask a person "
    "to review this decision below. You can see everything we hold about you on the "
    "'My data' page."
)
_RULE_FACTS = {
    "phq9_baseline": noop("your first PHQ-9 score (mood questionnaire)"),
    "gad7_baseline": noop("your first GAD-7 score (anxiety questionnaire)"),
    "item9_baseline": noop("your answer about thoughts of self-harm in the first PHQ-9"),
    "phq9_latest": noop("your latest PHQ-9 score"),
    "phq9_change": noop("how much your PHQ-9 score changed"),
    "phq9_percent_change": noop("how much your PHQ-9 score changed"),
    "reliable_improvement": noop("whether your scores improved by a clear amount"),
    "reliable_deterioration": noop("whether your scores got clearly worse"),
    "week": noop("how many weeks you have been in treatment"),
}
_MODEL_FACTS = {
    "phq9_baseline": noop("your first PHQ-9 score (mood questionnaire)"),
    "phq9_change": noop("how your PHQ-9 score changed in the first weeks"),
    "gad7_baseline": noop("your first GAD-7 score (anxiety questionnaire)"),
    "gad7_change": noop("how your GAD-7 score changed in the first weeks"),
    "item9_baseline": noop("your answer about thoughts of self-harm in the first PHQ-9"),
    "anhedonia_latest": noop("your latest answer about interest or pleasure in doing things"),
    "sleep_latest": noop("your latest answer about sleep"),
    "checkins_per_week": noop("how often you did mood check-ins"),
    "checkin_mood": noop("your mood check-in ratings"),
    "completion": noop("how many questionnaires you completed"),
    "weeks_observed": noop("how many weeks you have been in treatment"),
}


def _data_used(row: Suggestion) -> list[str]:
    words = _MODEL_FACTS if row.source == SuggestionSource.MODEL else _RULE_FACTS
    seen: list[str] = []
    for name in row.inputs:
        phrase = words.get(name)
        if phrase and _(phrase) not in seen:
            seen.append(_(phrase))
    return seen


def _receipt(row: Suggestion, task: ReviewTask | None) -> Receipt:
    suggested = (
        _("to move you to {step}").format(step=_step(row.suggested_step))
        if row.suggested_step != row.current_step
        else _("to stay on {step}").format(step=_step(row.suggested_step))
    )
    if row.status == SuggestionStatus.ACCEPTED:
        decided = _("Your clinician agreed: you were offered {step}.").format(
            step=_step(row.suggested_step)
        )
    else:
        decided = _("Your clinician decided otherwise: you stayed on {step}.").format(
            step=_step(row.current_step)
        )
    source = _("a computer model") if row.source == SuggestionSource.MODEL else _("care rules")
    return Receipt(
        id=row.id,
        decided_at=row.decided_at or row.created_at,
        what_was_suggested=_("A suggestion from {source}: {suggested}.").format(
            source=source, suggested=suggested
        ),
        what_was_decided=decided,
        who_decided=_name(row.decided_by),
        data_used=_data_used(row),
        how_it_works=_(_HOW_MODEL if row.source == SuggestionSource.MODEL else _HOW_RULES),
        how_to_correct=_(_HOW_TO_CORRECT),
        review_status=task.status if task else "",
        review_due_at=task.due_at if task else None,
        review_answer=task.answer if task and task.status == ReviewStatus.ANSWERED else "",
        review_answered_at=task.answered_at if task else None,
        can_ask_for_review=task is None or task.status == ReviewStatus.ANSWERED,
    )


def _receipt_rows(patient: Patient) -> list[Suggestion]:
    return list(
        Suggestion.objects.filter(
            service_id=patient.service_id,
            patient=patient,
            status__in=(SuggestionStatus.ACCEPTED, SuggestionStatus.OVERRIDDEN),
        )
        .select_related("decided_by")
        .order_by("-decided_at")
    )


def _latest_tasks(patient: Patient) -> dict[uuid.UUID, ReviewTask]:
    tasks: dict[uuid.UUID, ReviewTask] = {}
    for task in ReviewTask.objects.filter(patient=patient).order_by("requested_at"):
        tasks[task.suggestion_id] = task  # the latest request per decision
    return tasks


def receipts_for_patient(patient_user: User) -> list[Receipt]:
    """The signed-in patient's decision receipts, newest first: each decision an AI suggestion
    influenced (followed or not), what data it used, how to correct it and the review asked."""
    patient = own_patient_record(patient_user)
    tasks = _latest_tasks(patient)
    return [_receipt(row, tasks.get(row.id)) for row in _receipt_rows(patient)]


def receipt_for_patient(patient_user: User, suggestion_id: uuid.UUID) -> Receipt:
    patient = own_patient_record(patient_user)
    for row in _receipt_rows(patient):
        if row.id == suggestion_id:
            return _receipt(row, _latest_tasks(patient).get(row.id))
    raise NotFound("decision")


def receipt_suggestion_for_patient(patient_user: User, suggestion_id: uuid.UUID) -> Suggestion:
    """The suggestion behind one of the patient's receipts (for request_human_review)."""
    patient = own_patient_record(patient_user)
    row = Suggestion.objects.filter(patient=patient, id=suggestion_id).first()
    if row is None:
        raise NotFound("decision")
    return row


# ------------------------------------------------------------------ review tasks (care team)


@dataclass(frozen=True)
class ReviewTaskView:
    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    suggestion_summary: str
    decision: str
    message: str
    requested_at: datetime
    due_at: datetime
    overdue: bool
    status: str
    answer: str
    answered_by: str
    answered_at: datetime | None


def _task_view(task: ReviewTask, now: datetime) -> ReviewTaskView:
    return ReviewTaskView(
        id=task.id,
        patient_id=task.patient_id,
        patient_name=task.patient.display_name,
        suggestion_summary=task.suggestion.summary,
        decision=SuggestionStatus(task.suggestion.status).label,
        message=task.message,
        requested_at=task.requested_at,
        due_at=task.due_at,
        overdue=task.status == ReviewStatus.OPEN and now > task.due_at,
        status=task.status,
        answer=task.answer,
        answered_by=_name(task.answered_by),
        answered_at=task.answered_at,
    )


def review_tasks_for(user: User, *, include_answered: bool = False) -> list[ReviewTaskView]:
    """The patients' requests for a human review, for their care team: open first, by
    deadline (overdue ones flagged). Only patients `user` may see."""
    if not user.is_authenticated or user.service_id is None:
        return []
    rows = ReviewTask.objects.filter(
        service_id=user.service_id, patient_id__in=patients_visible_to(user).values("id")
    )
    if not include_answered:
        rows = rows.filter(status=ReviewStatus.OPEN)
    now = clock.now()
    rows = rows.select_related("patient", "suggestion", "answered_by").order_by("status", "due_at")
    return [_task_view(task, now) for task in rows]


def review_task_for(user: User, task_id: uuid.UUID) -> ReviewTask:
    """One review task of a patient `user` may see (for the answer form); NotFound otherwise."""
    if not user.is_authenticated or user.service_id is None:
        raise NotFound("review")
    task = ReviewTask.objects.filter(service_id=user.service_id, id=task_id).first()
    if task is None:
        raise NotFound("review")
    patient_visible_to(user, task.patient_id)
    return task
