"""Early-warning predictions: on demand (the clinician's patient page) and by the worker job
`ai.make_due_predictions` for every ongoing episode in weeks 2-4.

A prediction never touches safety: it raises no alert, changes no alert and no risk level
(tested). What it may do is add a suggestion to step up early (ai.services.suggestions), which
the clinician accepts, overrides or defers.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from careloop.ai.early_warning.explain import explain
from careloop.ai.early_warning.features import (
    MIN_LATEST_DAY,
    WINDOW_DAYS,
    NotEligible,
    features_of,
    vector,
)
from careloop.ai.early_warning.logistic import LogisticModel
from careloop.ai.early_warning.training import band_of
from careloop.ai.models import ModelVersion, Prediction
from careloop.ai.selectors.history import episode_history
from careloop.ai.selectors.registry import model_in_use
from careloop.ai.types import ModelKind, ModelStatus
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import (
    for_system,
    ongoing_episodes_started_by,
    patients_who_can_sign_in_for_system,
)
from careloop.core import clock
from careloop.core.errors import InvalidInput
from careloop.monitoring.outcome_selectors import local_day
from careloop.monitoring.selectors import patient_time_zone

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient, TreatmentEpisode

log = logging.getLogger(__name__)
JOB_REASON = "ai: early-warning prediction for an episode in weeks 2-4 (worker job)"
JOB_INTERVAL_SECONDS = 600.0  # the job looks for due episodes at most every 10 minutes
JOB_BATCH = 200
_last_run = {"at": -JOB_INTERVAL_SECONDS}


def day_of_episode(patient: Patient, episode: TreatmentEpisode) -> int:
    today = local_day(clock.now(), patient_time_zone(patient))
    return (today - episode.started_on).days


def predict(
    patient: Patient, episode: TreatmentEpisode, *, actor: User | None = None
) -> Prediction | None:
    """The early-warning estimate for `episode` now (one per episode and model version: an
    existing one is returned). `patient` must come from a selector (or for_system for the
    worker). None when no model runs for the service (none active, or switched off).

    Raises InvalidInput when the episode is outside weeks 2-4 or lacks the PHQ-9s it needs.
    """
    version = model_in_use(patient.service_id, ModelKind.EARLY_WARNING)
    if version is None:
        return None
    existing = Prediction.objects.filter(episode=episode, model_version=version).first()
    if existing is not None:
        return existing
    day = day_of_episode(patient, episode)
    if not MIN_LATEST_DAY <= day <= WINDOW_DAYS:
        raise InvalidInput("An early warning is made in weeks 2-4 of a course of care only.")
    try:
        features = features_of(episode_history(patient, episode), as_of_day=day)
    except NotEligible as error:
        raise InvalidInput(f"No early warning yet: {error}.") from error
    return _store(patient, episode, version, features, day, actor)


def _store(
    patient: Patient,
    episode: TreatmentEpisode,
    version: ModelVersion,
    features: dict[str, float],
    day: int,
    actor: User | None,
) -> Prediction:
    from careloop.ai.services.suggestions import suggest_from_prediction

    model = LogisticModel.from_json(version.parameters)
    x = vector(features)
    probability = model.probability(x)
    contributions = explain(features, model.contributions(x))
    with transaction.atomic():
        row = Prediction.objects.create(
            service_id=patient.service_id,
            patient=patient,
            episode=episode,
            model_version=version,
            inputs=features,
            probability=probability,
            band=band_of(probability),
            explanation=[item.as_json() for item in contributions],
            baseline_log_odds=model.baseline_logit(),
            as_of_day=day,
        )
        record_event(
            actor=actor,
            action=AuditAction.AI_PREDICTION_RECORDED,
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=PurposeOfUse.TREAT,
            obj=("ai.Prediction", row.id),
            detail={"model": version.version, "band": row.band},
        )
        suggest_from_prediction(patient, episode, row, actor=actor)
    return row


def make_due_predictions() -> int:
    """Worker job: predict for ongoing episodes in weeks 2-4 of services whose early-warning
    model is on. Claims a service by locking its active model version row with SKIP LOCKED (a
    second worker skips that service); the unique (episode, version) constraint stops a
    duplicate if two runs meet anyway. Looks at most every JOB_INTERVAL_SECONDS."""
    now_mono = time.monotonic()
    if now_mono - _last_run["at"] < JOB_INTERVAL_SECONDS:
        return 0
    _last_run["at"] = now_mono
    handled = 0
    service_ids = set(
        ModelVersion.objects.filter(
            kind=ModelKind.EARLY_WARNING, status=ModelStatus.ACTIVE, service__isnull=False
        ).values_list("service_id", flat=True)
    )
    for service_id in service_ids:
        handled += _predict_for_service(service_id)
    return handled


def _predict_for_service(service_id: uuid.UUID) -> int:
    handled = 0
    with transaction.atomic():
        claimed = (
            ModelVersion.objects.select_for_update(skip_locked=True)
            .filter(service_id=service_id, kind=ModelKind.EARLY_WARNING, status=ModelStatus.ACTIVE)
            .first()
        )
        if claimed is None or model_in_use(service_id, ModelKind.EARLY_WARNING) is None:
            return 0
        today = clock.now().date()
        patients = patients_who_can_sign_in_for_system().filter(service_id=service_id)
        episodes = [
            e
            for e in ongoing_episodes_started_by(patients, today - timedelta(days=MIN_LATEST_DAY))
            if e.started_on >= today - timedelta(days=WINDOW_DAYS)
        ]
        done = set(
            Prediction.objects.filter(
                model_version=claimed, episode_id__in=[e.id for e in episodes]
            ).values_list("episode_id", flat=True)
        )
        for episode in [e for e in episodes if e.id not in done][:JOB_BATCH]:
            patient = for_system(episode.patient, reason=JOB_REASON)
            try:
                with transaction.atomic():
                    if predict(patient, episode) is not None:
                        handled += 1
            except (InvalidInput, IntegrityError):
                continue  # not eligible yet (tried again next run), or made meanwhile
    return handled
