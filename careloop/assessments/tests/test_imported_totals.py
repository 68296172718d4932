"""record_imported_total: totals received without item answers (FHIR import)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from careloop.assessments.models import Assessment
from careloop.assessments.services import record_imported_total
from careloop.assessments.types import SubmissionSource
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.core.errors import Conflict, InvalidInput

WHEN = datetime(2020, 5, 1, 10, tzinfo=UTC)


def _record(patient, instrument_id="phq9", total=16, client_id=None):
    return record_imported_total(
        patient,
        actor=None,
        instrument_id=instrument_id,
        total=total,
        completed_at=WHEN,
        client_id=client_id or uuid.uuid4(),
        provenance={"source_observation": "Observation/abc"},
    )


def test_total_is_banded_like_a_scored_one_and_marked_without_items(ada_patient) -> None:
    assessment, created = _record(ada_patient, "phq9", 16)
    assert created
    assert (assessment.band, assessment.caseness, assessment.risk_flags) == (
        "moderately severe", True, []
    )  # fmt: skip
    assert (assessment.items_available, assessment.answers) == (False, [])
    assert assessment.source == SubmissionSource.IMPORT
    event = AuditEvent.objects.get(action=AuditAction.ASSESSMENT_SUBMITTED)
    assert event.detail["source_observation"] == "Observation/abc"
    assert event.detail["imported_total"] is True


def test_phq2_has_caseness_but_no_band(ada_patient) -> None:
    assessment, _ = _record(ada_patient, "phq2", 3)
    assert (assessment.band, assessment.caseness) == ("", True)


def test_replay_returns_the_stored_total_and_a_different_total_conflicts(ada_patient) -> None:
    client_id = uuid.uuid4()
    first, _ = _record(ada_patient, "gad7", 9, client_id)
    again, created = _record(ada_patient, "gad7", 9, client_id)
    assert (again.id, created) == (first.id, False)
    with pytest.raises(Conflict):
        _record(ada_patient, "gad7", 10, client_id)
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    ("instrument_id", "total"),
    [("phq9", 28), ("phq2", -1), ("gad7", 22), ("who5", 10), ("phq9", True)],
)
def test_out_of_range_or_unsupported_totals_are_refused(ada_patient, instrument_id, total):
    with pytest.raises(InvalidInput):
        _record(ada_patient, instrument_id, total)
    assert Assessment.objects.count() == 0
