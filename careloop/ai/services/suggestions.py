"""Stepped-care suggestions and the clinician's decision on each.

Where suggestions come from:
* the rules (the active stepped_care_rules version: the service's own, else the built-in one)
  at assessment (weeks 0-1) and at the 10-12 week review;
* the early-warning model (when it is on), in weeks 2-4: a "higher" estimate suggests stepping
  up from step 2 to step 3 early. The model only ever suggests *more* care than the rules and
  the current step: it never suggests a lower step, and it never touches safety alerts or risk
  levels (those belong to safety's rules).

Each suggestion keeps the version that made it, the inputs it read and its reasons in words.
A clinician accepts, overrides or defers it with a reason code (`decide_suggestion`);
accepting a step suggestion changes the step through care.services.change_step.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from django.db import transaction

from careloop.accounts.types import Role
from careloop.ai.early_warning.features import MIN_LATEST_DAY, WINDOW_DAYS
from careloop.ai.models import ModelVersion, Prediction, Suggestion
from careloop.ai.selectors.history import episode_history
from careloop.ai.selectors.registry import active_version
from careloop.ai.stepped_care.rules import (
    REVIEW_LAST_DAY,
    StepSuggestion,
    at_assessment,
    at_review,
    fired_words,
    review_days,
)
from careloop.ai.types import (
    NOTE_MAX_CHARS,
    REASONS_FOR,
    Decision,
    ModelKind,
    ReasonCode,
    SuggestionMoment,
    SuggestionSource,
    SuggestionStatus,
)
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import (
    for_system,
    ongoing_episodes_started_by,
    patients_who_can_sign_in_for_system,
    require_write,
    stepped_care_of,
)
from careloop.care.services import change_step
from careloop.care.types import CareStep
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from careloop.core.text import clean_free_text

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient, TreatmentEpisode

ASSESSMENT_LAST_DAY = 13  # the assessment suggestion is offered in weeks 0-1
HIGHER_BAND = "higher"


def _step_label(step: int | None) -> str:
    return CareStep(step).label if step in CareStep.values else f"step {step}"


def _already(episode: TreatmentEpisode, moment: str) -> bool:
    return Suggestion.objects.filter(episode=episode, moment=moment).exists()


def _record(
    patient: Patient,
    episode: TreatmentEpisode,
    *,
    source: str,
    moment: str,
    version: ModelVersion,
    rules_version: ModelVersion | None,
    prediction: Prediction | None,
    current: int | None,
    suggested: int,
    summary: str,
    inputs: dict[str, Any],
    explanation: list[dict[str, Any]],
    actor: User | None,
) -> Suggestion:
    row = Suggestion.objects.create(
        service_id=patient.service_id,
        patient=patient,
        episode=episode,
        source=source,
        moment=moment,
        model_version=version,
        rules_version=rules_version,
        prediction=prediction,
        current_step=current,
        suggested_step=suggested,
        summary=summary[:300],
        inputs=inputs,
        explanation=explanation,
    )
    record_event(
        actor=actor,
        action=AuditAction.AI_SUGGESTION_RECORDED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=PurposeOfUse.TREAT,
        obj=("ai.Suggestion", row.id),
        detail={"source": source, "moment": moment, "version": version.version},
    )
    return row


def _rules_row(suggestion: StepSuggestion) -> list[dict[str, Any]]:
    return [
        {"rule": item.rule_id, "words": words, "source": item.source}
        for item, words in zip(suggestion.fired, fired_words(suggestion.fired), strict=True)
    ]


def suggest_from_rules(
    patient: Patient, episode: TreatmentEpisode, day: int, *, actor: User | None = None
) -> Suggestion | None:
    """The rules' suggestion for this episode on `day`, once per episode and moment: at
    assessment (days 0-13) the step to start at; at review (the rules' window to week 12) a
    step up when not on track. None when nothing is due or the rules suggest no change."""
    rules_version = active_version(patient.service_id, ModelKind.STEPPED_CARE_RULES)
    if rules_version is None:
        return None
    rules = rules_version.parameters
    current = stepped_care_of(patient).current
    current_step = int(current) if current is not None else None
    history = episode_history(patient, episode)
    if day <= ASSESSMENT_LAST_DAY:
        moment, result = (
            SuggestionMoment.ASSESSMENT,
            at_assessment(rules, history, episode.started_on),
        )
    elif review_days(rules) <= day <= REVIEW_LAST_DAY:
        moment, result = SuggestionMoment.REVIEW, at_review(rules, history, episode.started_on, day)
    else:
        return None
    if result.step is None or result.step == current_step or _already(episode, moment):
        return None
    if current_step is not None and result.step < current_step:
        return None  # suggestions only ever add care: stepping down is the clinician's call
    return _record(
        patient,
        episode,
        source=SuggestionSource.RULES,
        moment=moment,
        version=rules_version,
        rules_version=rules_version,
        prediction=None,
        current=current_step,
        suggested=result.step,
        summary=f"{_step_label(result.step)} (rules {rules_version.version})",
        inputs={k: v for k, v in result.facts.items() if v is not None},
        explanation=_rules_row(result)
        or [{"rule": "default", "words": "no rule for a higher step applied", "source": ""}],
        actor=actor,
    )


def suggest_from_prediction(
    patient: Patient, episode: TreatmentEpisode, prediction: Prediction, *, actor: User | None
) -> Suggestion | None:
    """A "higher" early-warning estimate suggests stepping up early — only from step 2 (or an
    unrecorded step) to step 3; never a lower step than the current one."""
    if prediction.band != HIGHER_BAND or _already(episode, SuggestionMoment.EARLY_WARNING):
        return None
    current = stepped_care_of(patient).current
    current_step = int(current) if current is not None else None
    if current_step is not None and current_step >= CareStep.HIGH_INTENSITY:
        return None
    rules_version = active_version(patient.service_id, ModelKind.STEPPED_CARE_RULES)
    return _record(
        patient,
        episode,
        source=SuggestionSource.MODEL,
        moment=SuggestionMoment.EARLY_WARNING,
        version=prediction.model_version,
        rules_version=rules_version,
        prediction=prediction,
        current=current_step,
        suggested=CareStep.HIGH_INTENSITY,
        summary=(
            f"Consider stepping up early to {_step_label(CareStep.HIGH_INTENSITY)}: "
            f"{prediction.probability * 100:.0f} % estimated chance of no reliable improvement "
            "by week 12"
        ),
        inputs=dict(prediction.inputs),
        explanation=list(prediction.explanation),
        actor=actor,
    )


def refresh_suggestions(patient: Patient, *, actor: User | None = None) -> list[Suggestion]:
    """Make whatever suggestion is due for the patient's open episode now (rules, and the
    early-warning model in weeks 2-4 when it is on) and return the episode's suggestions still
    waiting for a decision (open or deferred), newest first. `patient` must come from a
    selector. For the clinician's patient page."""
    from careloop.ai.services.predictions import day_of_episode, predict

    episode = stepped_care_of(patient).episode
    if episode is None:
        return []
    day = day_of_episode(patient, episode)
    with transaction.atomic():
        suggest_from_rules(patient, episode, day, actor=actor)
        if MIN_LATEST_DAY <= day <= WINDOW_DAYS:
            # not enough data yet: no estimate (the page says so)
            with contextlib.suppress(InvalidInput):
                predict(patient, episode, actor=actor)
    return list(
        Suggestion.objects.filter(
            episode=episode, status__in=(SuggestionStatus.OPEN, SuggestionStatus.DEFERRED)
        ).order_by("-created_at")
    )


def decide_suggestion(
    actor: User, suggestion: Suggestion, decision: Decision | str, reason: str, note: str = ""
) -> Suggestion:
    """The clinician's decision on a suggestion (one write path), with a reason code from
    REASONS_FOR[decision] and an optional note (stored encrypted).

    1. The actor must write to the patient's record (care team; an outsider gets NotFound,
       emergency access is read-only) and be a clinician or supervisor.
    2. Open or deferred suggestions only; a deferred one can be decided later.
    3. Accepting a step suggestion changes the step (care.services.change_step, in the same
       transaction), unless the episode is already there.
    4. Audited (ai.suggestion_decided: decision, reason code, source and version; no note).
    """
    try:
        decision = Decision(decision)
    except ValueError:
        raise InvalidInput("decision: accept, override or defer") from None
    if reason not in REASONS_FOR[decision]:
        raise InvalidInput(f"reason: choose one of the reasons for '{decision.label}'")
    text = clean_free_text(note or "", what="note")
    if len(text) > NOTE_MAX_CHARS:
        raise InvalidInput(f"note: at most {NOTE_MAX_CHARS} characters")
    with transaction.atomic():
        locked = (
            Suggestion.objects.select_for_update(of=("self",))
            .select_related("patient", "episode", "model_version")
            .get(id=suggestion.id)
        )
        patient = locked.patient
        if patient.erased_at is not None:
            raise NotFound("patient")
        require_write(actor, patient)
        if actor.role not in (Role.CLINICIAN, Role.SUPERVISOR):
            raise PermissionDenied("The care team's clinicians decide on suggestions.")
        if locked.status not in (SuggestionStatus.OPEN, SuggestionStatus.DEFERRED):
            raise Conflict("This suggestion has already been decided.")
        step_changed = False
        if decision == Decision.ACCEPT:
            current = stepped_care_of(_opened(actor, patient)).current
            if current is None or int(current) != locked.suggested_step:
                words = ReasonCode(reason).label
                change_step(
                    actor,
                    locked.episode,
                    locked.suggested_step,
                    f"Accepted a computer-assisted suggestion ({locked.summary}). {words}."
                    + (f" {text}" if text else ""),
                )
                step_changed = True
        locked.status = {
            Decision.ACCEPT: SuggestionStatus.ACCEPTED,
            Decision.OVERRIDE: SuggestionStatus.OVERRIDDEN,
            Decision.DEFER: SuggestionStatus.DEFERRED,
        }[decision]
        locked.decision, locked.reason, locked.note = decision, reason, text
        locked.decided_by, locked.decided_at = actor, clock.now()
        locked.step_changed = step_changed
        locked.save()
        record_event(
            actor=actor,
            action=AuditAction.AI_SUGGESTION_DECIDED,
            service_id=locked.service_id,
            patient_id=patient.id,
            purpose=PurposeOfUse.TREAT,
            obj=("ai.Suggestion", locked.id),
            detail={
                "decision": decision.value,
                "reason": reason,
                "source": locked.source,
                "version": locked.model_version.version,
                "step_changed": step_changed,
            },
        )
    return locked


def _opened(actor: User, patient: Patient) -> Patient:
    """The patient as the deciding clinician sees it (for the current step read)."""
    from careloop.care.selectors import patient_visible_to

    return patient_visible_to(actor, patient.id)


JOB_REASON = "ai: stepped-care rules suggestion at assessment or review (worker job)"
JOB_INTERVAL_SECONDS = 3600.0  # the rules job looks for due episodes at most hourly
JOB_BATCH = 200
_last_run = {"at": -JOB_INTERVAL_SECONDS}


def make_due_suggestions() -> int:
    """Worker job: the rules' suggestion for ongoing episodes at assessment (days 0-13) or in
    the review window (from the rules' first review day to day 87) that have none for that
    moment yet, so clinicians find it on the patient page without asking. Claims a service by
    locking its rules version row with SKIP LOCKED; at most JOB_BATCH episodes a run."""
    now_mono = time.monotonic()
    if now_mono - _last_run["at"] < JOB_INTERVAL_SECONDS:
        return 0
    _last_run["at"] = now_mono
    service_ids = set(
        patients_who_can_sign_in_for_system().values_list("service_id", flat=True).distinct()
    )
    return sum(_rules_for_service(service_id) for service_id in service_ids)


def _rules_for_service(service_id: Any) -> int:

    from careloop.care.selectors import (
        patients_who_can_sign_in_for_system,
    )

    version = active_version(service_id, ModelKind.STEPPED_CARE_RULES)
    if version is None:
        return 0
    handled = 0
    with transaction.atomic():
        claimed = ModelVersion.objects.select_for_update(skip_locked=True).filter(id=version.id)
        if claimed.first() is None:
            return 0  # another worker is on it
        today = clock.now().date()
        opens = review_days(version.parameters)
        patients = patients_who_can_sign_in_for_system().filter(service_id=service_id)
        due = []
        for episode in ongoing_episodes_started_by(patients, today):
            day = (today - episode.started_on).days
            if day <= ASSESSMENT_LAST_DAY:
                due.append((episode, SuggestionMoment.ASSESSMENT))
            elif opens <= day <= REVIEW_LAST_DAY:
                due.append((episode, SuggestionMoment.REVIEW))
        done = set(
            Suggestion.objects.filter(
                service_id=service_id, episode_id__in=[e.id for e, _ in due]
            ).values_list("episode_id", "moment")
        )
        for episode in [e for e, m in due if (e.id, m) not in done][:JOB_BATCH]:
            patient = for_system(episode.patient, reason=JOB_REASON)
            day = (today - episode.started_on).days
            if suggest_from_rules(patient, episode, day) is not None:
                handled += 1
    return handled
