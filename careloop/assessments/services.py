"""The one write path for assessments: validate, score, store, audit, hand to the hooks."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime

from django.db import IntegrityError, transaction

from careloop.accounts.models import User
from careloop.assessments.hooks import run_submission_handlers
from careloop.assessments.models import Assessment, SubmissionSource
from careloop.audit.models import AuditAction, Purpose
from careloop.audit.services import record_event
from careloop.care.models import EpisodeEnding, Patient, TreatmentEpisode
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput
from careloop.instruments.library import InstrumentDefinition, UnknownInstrument, get_instrument
from careloop.instruments.scoring import InvalidAnswers, ScoreResult, score


def _score_or_reject(
    instrument_id: str, answers: list[int | None]
) -> tuple[InstrumentDefinition, ScoreResult]:
    try:
        instrument = get_instrument(instrument_id)
    except UnknownInstrument:
        raise InvalidInput(f"unknown instrument {instrument_id!r}") from None
    if not instrument.enabled:
        raise InvalidInput(f"{instrument.title} is not available: {instrument.disabled_reason}")
    try:
        return instrument, score(instrument_id, answers)
    except InvalidAnswers as error:
        raise InvalidInput(str(error)) from None


def _replayed(
    patient: Patient, client_id: uuid.UUID, instrument_id: str, answers: list[int | None]
) -> Assessment | None:
    """The earlier copy of a re-sent submission, or None; a different payload is a conflict."""
    earlier = Assessment.objects.filter(
        service_id=patient.service_id, patient=patient, client_id=client_id
    ).first()
    if earlier is not None and (earlier.instrument_id, earlier.answers) != (instrument_id, answers):
        raise Conflict("this client id was already used for a different submission")
    return earlier


def _open_episode(patient: Patient) -> TreatmentEpisode | None:
    return (
        TreatmentEpisode.objects.filter(
            service_id=patient.service_id, patient=patient, ending=EpisodeEnding.ONGOING
        )
        .order_by("-started_on")
        .first()
    )


def submit_assessment(
    patient: Patient,
    *,
    actor: User,
    instrument_id: str,
    answers: list[int | None],
    client_id: uuid.UUID,
    source: SubmissionSource,
    completed_at: datetime | None = None,
) -> tuple[Assessment, bool]:
    """Store a scored questionnaire once per client id; return it and whether it is new.

    1. Score first: bad input raises InvalidInput before anything is written.
    2. A re-sent submission (same client id, same answers) returns the stored one unchanged.
    3. Store, audit and run the submission hooks (safety rules) in one transaction, so an alert
       can never be missing for a stored risk answer, nor exist for a rolled-back one.
    """
    instrument, result = _score_or_reject(instrument_id, answers)
    if earlier := _replayed(patient, client_id, instrument_id, answers):
        return earlier, False
    now = clock.now()
    if completed_at is not None and completed_at > now:
        raise InvalidInput("completed_at cannot be in the future")
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                service_id=patient.service_id,
                patient=patient,
                episode=_open_episode(patient),
                instrument_id=instrument_id,
                instrument_version=instrument.versioned_id,
                answers=answers,
                score_total=result.total,
                band=result.band or "",
                caseness=result.caseness,
                prorated=result.prorated,
                risk_flags=[asdict(flag) for flag in result.risk_flags],
                completed_at=completed_at or now,
                recorded_at=now,
                submitted_by=actor,
                source=source,
                client_id=client_id,
            )
            record_event(
                actor=actor,
                action=AuditAction.ASSESSMENT_SUBMITTED,
                service_id=patient.service_id,
                patient_id=patient.id,
                purpose=Purpose.SELF_ACCESS if actor.id == patient.user_id else Purpose.TREATMENT,
                obj=("Assessment", assessment.id),
                detail={"instrument": assessment.instrument_version},
            )
            run_submission_handlers(assessment)
    except IntegrityError:
        # Two copies of one submission raced; the other one won. Return it (or report the clash).
        if earlier := _replayed(patient, client_id, instrument_id, answers):
            return earlier, False
        raise
    return assessment, True
