from __future__ import annotations

import json
import uuid

import pytest

from careloop.assessments.hooks import _handlers
from careloop.assessments.models import Assessment
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.audit.models import AuditEvent
from careloop.audit.selectors import patient_ref
from careloop.audit.types import AuditAction
from careloop.core.errors import Conflict, InvalidInput
from careloop.safety.models import Alert

MODERATE = [2, 2, 1, 1, 1, 1, 1, 1, 0]  # total 10: moderate, no risk item


def _submit(patient, user, answers, client_id=None, instrument="phq9"):
    return submit_assessment(
        patient,
        actor=user,
        instrument_id=instrument,
        answers=answers,
        client_id=client_id or uuid.uuid4(),
        source=SubmissionSource.API,
    )


def test_submission_is_scored_stored_with_its_version_and_audited(ada, ada_patient) -> None:
    assessment, created = _submit(ada_patient, ada, MODERATE)
    assert created
    assert (assessment.score_total, assessment.band, assessment.caseness) == (10, "moderate", True)
    assert assessment.instrument_version.startswith("phq9@")
    assert assessment.answers == MODERATE
    event = AuditEvent.objects.get(action=AuditAction.ASSESSMENT_SUBMITTED)
    assert (event.patient_ref, event.actor_id, event.object_id) == (
        patient_ref(ada_patient.id),
        ada.id,
        str(assessment.id),
    )
    assert "answers" not in json.dumps(event.detail)


def test_same_client_id_twice_stores_once(ada, ada_patient) -> None:
    client_id = uuid.uuid4()
    first, created_first = _submit(ada_patient, ada, MODERATE, client_id)
    second, created_second = _submit(ada_patient, ada, MODERATE, client_id)
    assert (created_first, created_second) == (True, False)
    assert first.id == second.id
    assert Assessment.objects.count() == 1


def test_same_client_id_with_other_answers_is_a_conflict(ada, ada_patient) -> None:
    client_id = uuid.uuid4()
    _submit(ada_patient, ada, MODERATE, client_id)
    with pytest.raises(Conflict):
        _submit(ada_patient, ada, [0] * 9, client_id)
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    "answers", [[1] * 8, [1] * 11, [4, 0, 0, 0, 0, 0, 0, 0, 0], [-1, 0, 0, 0, 0, 0, 0, 0, 0]]
)
def test_invalid_answers_are_rejected_and_nothing_is_stored(ada, ada_patient, answers) -> None:
    with pytest.raises(InvalidInput):
        _submit(ada_patient, ada, answers)
    assert Assessment.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_unknown_instrument_is_rejected(ada, ada_patient) -> None:
    with pytest.raises(InvalidInput, match="unknown instrument"):
        _submit(ada_patient, ada, [0] * 9, instrument="nope")


def test_item9_positive_raises_an_alert_in_the_same_transaction(ada, ada_patient) -> None:
    assessment, _ = _submit(ada_patient, ada, [0, 0, 0, 0, 0, 0, 0, 0, 1])
    alert = Alert.objects.get()
    assert alert.assessment_id == assessment.id
    assert alert.evidence["answer"] == 1
    assert alert.rule_id == "instrument_risk_item"


def test_a_failing_hook_rolls_back_the_assessment_too(ada, ada_patient) -> None:
    """Outbox guarantee: never a stored risk answer without its alert."""

    def broken(assessment):
        raise RuntimeError("alert store unavailable")

    _handlers["zz_broken"] = broken
    try:
        with pytest.raises(RuntimeError):
            _submit(ada_patient, ada, [0, 0, 0, 0, 0, 0, 0, 0, 3])
    finally:
        del _handlers["zz_broken"]
    assert Assessment.objects.count() == 0
    assert Alert.objects.count() == 0
    assert AuditEvent.objects.count() == 0
