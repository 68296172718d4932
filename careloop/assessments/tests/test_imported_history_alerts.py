"""Imported history never raises live alerts; a recent imported result does (hooks window)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from careloop.assessments.hooks import IMPORTED_RESULT_LIVE_WINDOW
from careloop.assessments.models import Assessment
from careloop.assessments.services import record_imported_total, submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.safety.models import Alert

ITEM9_POSITIVE: list[int | None] = [1, 1, 1, 1, 1, 1, 1, 1, 2]


def _import_total(patient, total: int, days_ago: float) -> Assessment:
    assessment, _ = record_imported_total(
        patient,
        actor=None,
        instrument_id="phq9",
        total=total,
        completed_at=clock.now() - timedelta(days=days_ago),
        client_id=uuid.uuid4(),
        provenance={"source_observation": f"Observation/{uuid.uuid4()}"},
    )
    return assessment


def _import_answers(patient, actor, days_ago: float) -> Assessment:
    assessment, _ = submit_assessment(
        patient,
        actor=actor,
        instrument_id="phq9",
        answers=ITEM9_POSITIVE,
        client_id=uuid.uuid4(),
        source=SubmissionSource.IMPORT,
        completed_at=clock.now() - timedelta(days=days_ago),
    )
    return assessment


def test_a_years_old_imported_rise_raises_no_alert_but_stays_in_history(ada_patient) -> None:
    _import_total(ada_patient, 4, days_ago=800)
    latest = _import_total(ada_patient, 24, days_ago=700)  # far past the reliable-change rise
    assert not Alert.objects.exists()
    assert Assessment.objects.filter(patient=ada_patient).count() == 2
    event = AuditEvent.objects.get(action=AuditAction.ASSESSMENT_SUBMITTED, object_id=latest.id)
    assert event.detail["live_alerts"] is False


def test_a_recent_imported_rise_raises_the_deterioration_alert(ada_patient) -> None:
    _import_total(ada_patient, 4, days_ago=60)
    latest = _import_total(ada_patient, 24, days_ago=3)
    alert = Alert.objects.get(assessment=latest)
    assert alert.rule_id == "sharp_deterioration"
    # The clinician sees that the result came from another system's record, and when.
    assert alert.evidence["imported_result"] is True
    assert alert.evidence["completed_at"] == latest.completed_at.isoformat()
    event = AuditEvent.objects.get(action=AuditAction.ASSESSMENT_SUBMITTED, object_id=latest.id)
    assert event.detail["live_alerts"] is True


def test_an_old_imported_risk_answer_keeps_its_flag_and_pages_nobody(ada, ada_patient) -> None:
    old = _import_answers(ada_patient, ada, days_ago=400)
    assert old.has_risk_flag
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    ("days_ago", "alerts"),
    [
        (0, 1),
        (IMPORTED_RESULT_LIVE_WINDOW.days - 0.01, 1),
        (IMPORTED_RESULT_LIVE_WINDOW.days + 1, 0),
    ],
)
def test_an_imported_risk_answer_alerts_only_inside_the_window(ada, ada_patient, days_ago, alerts):
    imported = _import_answers(ada_patient, ada, days_ago=days_ago)
    assert Alert.objects.filter(assessment=imported).count() == alerts


def test_app_submissions_of_any_age_still_alert(ada, ada_patient) -> None:
    late, _ = submit_assessment(
        ada_patient,
        actor=ada,
        instrument_id="phq9",
        answers=ITEM9_POSITIVE,
        client_id=uuid.uuid4(),
        source=SubmissionSource.API,
        completed_at=clock.now() - timedelta(days=90),  # an offline phone, synced late
    )
    assert Alert.objects.filter(assessment=late).count() == 1


def test_alerts_from_the_app_carry_no_imported_marker(ada, ada_patient) -> None:
    assessment, _ = submit_assessment(
        ada_patient,
        actor=ada,
        instrument_id="phq9",
        answers=ITEM9_POSITIVE,
        client_id=uuid.uuid4(),
        source=SubmissionSource.API,
    )
    assert "imported_result" not in Alert.objects.get(assessment=assessment).evidence
