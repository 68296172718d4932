"""Imported totals (a FHIR import filing a score without its answers): checked against the
instrument's range, banded by its own scorer, stored, audited and handed to the hooks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction

from careloop.assessments.hooks import raises_live_alerts, run_submission_handlers
from careloop.assessments.models import Assessment
from careloop.assessments.services.submission import checked_completed_at, rows_of
from careloop.assessments.types import SubmissionSource
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import open_episode
from careloop.core import clock
from careloop.core.errors import InvalidInput
from careloop.core.idempotency import replayed
from careloop.instruments.library import InstrumentDefinition, get_instrument
from careloop.instruments.scoring import (
    gad7,
    get_scorer,
    phq2,
    phq9,
)

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

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
    """The earlier copy of a re-sent imported total, or None; another total is a conflict."""
    return replayed(
        rows_of(patient),
        client_id,
        content=lambda earlier: (earlier.instrument_id, earlier.score_total),
        sent=(instrument_id, float(total)),
        what="total",
    )


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
    completed_at = checked_completed_at(completed_at, clock.now())
    if earlier := _replayed_total(patient, client_id, instrument_id, total):
        return earlier, False
    with transaction.atomic():
        assessment = Assessment.objects.create(
            service_id=patient.service_id,
            patient=patient,
            episode=open_episode(patient),
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
            purpose=PurposeOfUse.HOPERAT,
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
