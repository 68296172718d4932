"""The one write path for assessments: validate, score, store, audit, hand to the hooks."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime

from django.db import IntegrityError, transaction

from careloop.accounts.models import User
from careloop.assessments.hooks import raises_live_alerts, run_submission_handlers
from careloop.assessments.models import Assessment, SubmissionSource
from careloop.assessments.scoring_context import scoring_sex
from careloop.audit.models import AuditAction, Purpose
from careloop.audit.services import record_event
from careloop.care.models import EpisodeEnding, Patient, TreatmentEpisode
from careloop.care.selectors import require_write
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput
from careloop.instruments.library import InstrumentDefinition, UnknownInstrument, get_instrument
from careloop.instruments.scoring import (
    InvalidAnswers,
    ScoreResult,
    Sex,
    gad7,
    get_scorer,
    phq2,
    phq9,
    score,
)


def _score_or_reject(
    instrument_id: str, answers: list[int | None], *, sex: Sex | None = None
) -> tuple[InstrumentDefinition, ScoreResult]:
    try:
        instrument = get_instrument(instrument_id)
    except UnknownInstrument:
        raise InvalidInput(f"unknown instrument {instrument_id!r}") from None
    if not instrument.enabled:
        raise InvalidInput(f"{instrument.title} is not available: {instrument.disabled_reason}")
    try:
        # sex: the AUDIT-C cut-off is sex-specific (scoring_context.py, HZ-022)
        return instrument, score(instrument_id, answers, sex=sex)
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
    require_write(actor, patient)  # the patient or their team; never emergency access (HZ-023)
    instrument, result = _score_or_reject(instrument_id, answers, sex=scoring_sex(patient))
    if earlier := _replayed(patient, client_id, instrument_id, answers):
        return earlier, False
    now = clock.now()
    if completed_at is not None and completed_at.utcoffset() is None:
        raise InvalidInput("completed_at needs a time zone, e.g. 2026-03-01T09:30:00Z")
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
            run_submission_handlers(assessment)
            # Last: writing an audit event takes the service's audit-chain lock until commit, so
            # it waits until the safety rules have run (docs/privacy/audit.md, performance.md).
            record_event(
                actor=actor,
                action=AuditAction.ASSESSMENT_SUBMITTED,
                service_id=patient.service_id,
                patient_id=patient.id,
                purpose=Purpose.SELF_ACCESS if actor.id == patient.user_id else Purpose.TREATMENT,
                obj=("Assessment", assessment.id),
                detail={"instrument": assessment.instrument_version},
            )
    except IntegrityError:
        # Two copies of one submission raced; the other one won. Return it (or report the clash).
        if earlier := _replayed(patient, client_id, instrument_id, answers):
            return earlier, False
        raise
    return assessment, True


# ------------------------------------------------------------- imported totals (FHIR import)

# Instruments whose total alone can be filed: bands and caseness come from the scorer's own
# published thresholds, so an imported total is banded exactly like a scored one.
_TOTAL_ONLY_RULES: dict[str, tuple[tuple[tuple[int, str], ...] | None, int]] = {
    "phq2": (None, phq2.CASENESS_THRESHOLD),
    "phq9": (phq9.BANDS, phq9.CASENESS_THRESHOLD),
    "gad7": (gad7.BANDS, gad7.CASENESS_THRESHOLD),
}


def _max_total(instrument_id: str) -> int:
    scored = [scale for scale in get_scorer(instrument_id).items if scale.scored]
    return sum(max(scale.score(value) for value in scale.values) for scale in scored)


def _checked_total(instrument_id: str, total: int) -> tuple[InstrumentDefinition, str, bool]:
    if instrument_id not in _TOTAL_ONLY_RULES:
        raise InvalidInput(f"a total without item answers cannot be filed for {instrument_id!r}")
    instrument = get_instrument(instrument_id)
    highest = _max_total(instrument_id)
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= highest:
        raise InvalidInput(f"{instrument.title} total must be a whole number 0–{highest}")
    bands, caseness_threshold = _TOTAL_ONLY_RULES[instrument_id]
    band = next((label for floor, label in bands if total >= floor), "") if bands else ""
    return instrument, band, total >= caseness_threshold


def _replayed_total(
    patient: Patient, client_id: uuid.UUID, instrument_id: str, total: int
) -> Assessment | None:
    earlier = Assessment.objects.filter(
        service_id=patient.service_id, patient=patient, client_id=client_id
    ).first()
    if earlier is not None and (earlier.instrument_id, earlier.score_total) != (
        instrument_id,
        float(total),
    ):
        raise Conflict("this client id was already used for a different total")
    return earlier


def record_imported_total(
    patient: Patient,
    *,
    actor: User | None,
    instrument_id: str,
    total: int,
    completed_at: datetime,
    client_id: uuid.UUID,
    provenance: dict[str, str],
) -> tuple[Assessment, bool]:
    """File a total score received without its item answers (e.g. a FHIR import); idempotent.

    1. Only PHQ-2, PHQ-9 and GAD-7 totals, range-checked against the scorer's item scales.
    2. A re-sent total (same client id, same instrument and total) returns the stored one.
    3. Stored with `items_available=False` and no risk flags: without the item answers no
       item-level risk rule can run, which the source system's own screening had to cover.
    4. Audit and, for a result completed within the last two weeks only, the submission hooks
       run in the same transaction as for app submissions; older history raises no live alert
       (hooks.raises_live_alerts) and the audit event says which.
    `provenance` (ids and file names only, never names) goes into the audit event.
    """
    instrument, band, caseness = _checked_total(instrument_id, total)
    if completed_at > clock.now():
        raise InvalidInput("completed_at cannot be in the future")
    if earlier := _replayed_total(patient, client_id, instrument_id, total):
        return earlier, False
    with transaction.atomic():
        assessment = Assessment.objects.create(
            service_id=patient.service_id,
            patient=patient,
            episode=_open_episode(patient),
            instrument_id=instrument_id,
            instrument_version=instrument.versioned_id,
            answers=[],
            items_available=False,
            score_total=total,
            band=band,
            caseness=caseness,
            completed_at=completed_at,
            recorded_at=clock.now(),
            submitted_by=actor,
            source=SubmissionSource.IMPORT,
            client_id=client_id,
        )
        record_event(
            actor=actor,
            action=AuditAction.ASSESSMENT_SUBMITTED,
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=Purpose.OPERATIONS,
            obj=("Assessment", assessment.id),
            detail={
                "instrument": assessment.instrument_version,
                "imported_total": True,
                "live_alerts": raises_live_alerts(assessment),
            }
            | provenance,
        )
        run_submission_handlers(assessment)
    return assessment, True
