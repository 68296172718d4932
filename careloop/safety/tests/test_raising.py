"""Risk signals become alerts inside the triggering transaction, once per trigger."""

from __future__ import annotations

import uuid

import pytest

from careloop.assessments.models import Assessment
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.audit.models import AuditEvent
from careloop.core import clock
from careloop.core.errors import InvalidInput
from careloop.instruments.scoring import score
from careloop.safety.models import Alert
from careloop.safety.services import (
    acknowledge_alert,
    raise_alert_by_clinician,
    raise_alert_for_text_signal,
    raise_alerts_for_assessment,
)
from careloop.safety.tests.conftest import submit_risk
from careloop.safety.types import AlertSource, AlertStatus


def _submit(ada, ada_patient, instrument: str, answers: list[int] | list[int | None]) -> Assessment:
    assessment, _ = submit_assessment(
        ada_patient,
        actor=ada,
        instrument_id=instrument,
        answers=list(answers),
        client_id=uuid.uuid4(),
        source=SubmissionSource.API,
    )
    return assessment


@pytest.mark.parametrize(
    ("instrument", "answers", "flag", "severity"),
    [
        ("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1], "phq9_item9_positive", "high"),
        ("cssrs_screener", [1, 1, 1, 0, 0, 0, None], "cssrs_moderate", "moderate"),
        ("cssrs_screener", [1, 1, 1, 1, 0, 0, None], "cssrs_high", "high"),
    ],
)
def test_instrument_risk_items_raise_an_alert_with_the_answer_as_evidence(
    ada, ada_patient, instrument, answers, flag, severity
) -> None:
    assessment = _submit(ada, ada_patient, instrument, answers)
    [alert] = Alert.objects.filter(assessment=assessment)
    assert (alert.source, alert.rule_id, alert.severity) == (
        AlertSource.INSTRUMENT_ITEM,
        "instrument_risk_item",
        severity,
    )
    assert alert.evidence["flag"] == flag and alert.rule_version == "1.0.0"
    assert alert.status == AlertStatus.RAISED
    assert alert.trigger_key == f"assessment:{assessment.id}:instrument_risk_item:{flag}"


@pytest.mark.parametrize(
    ("instrument", "answers", "flag"),
    [
        ("epds", [0, 0, 0, 0, 0, 0, 0, 0, 0, 2], "epds_item10_positive"),
        ("core10", [0, 4, 4, 0, 0, 1, 0, 0, 0, 0], "core10_item6_positive"),
    ],
)
def test_risk_items_of_licence_gated_instruments_alert_too(
    ada, ada_patient, instrument, answers, flag
) -> None:
    """EPDS and CORE-10 cannot be administered yet (licence, wording) but may be imported."""
    result = score(instrument, answers)
    assessment = Assessment.objects.create(
        service_id=ada_patient.service_id,
        patient=ada_patient,
        instrument_id=instrument,
        instrument_version=result.versioned_id,
        answers=answers,
        score_total=result.total,
        risk_flags=[flag.to_dict() for flag in result.risk_flags],
        completed_at=clock.now(),
        recorded_at=clock.now(),
        source=SubmissionSource.IMPORT,
        client_id=uuid.uuid4(),
    )
    [alert] = raise_alerts_for_assessment(assessment)
    assert (alert.evidence["flag"], alert.severity) == (flag, "high")


def test_no_risk_answer_no_alert(ada, ada_patient) -> None:
    _submit(ada, ada_patient, "phq9", [1] * 8 + [0])
    assert not Alert.objects.exists()


def test_a_sharp_phq9_rise_raises_a_labelled_deterioration_alert(ada, ada_patient) -> None:
    _submit(ada, ada_patient, "phq9", [1, 1, 1, 1, 0, 0, 0, 0, 0])  # 4
    second = _submit(ada, ada_patient, "phq9", [2, 2, 1, 1, 1, 1, 1, 1, 0])  # 10: +6
    [alert] = Alert.objects.filter(assessment=second)
    assert alert.source == AlertSource.DETERIORATION and alert.severity == "moderate"
    assert (alert.evidence["previous_total"], alert.evidence["total"]) == (4, 10)
    assert "UNVERIFIED" in alert.evidence["criterion_label"]


def test_a_rise_below_the_criterion_raises_nothing(ada, ada_patient) -> None:
    _submit(ada, ada_patient, "gad7", [1, 1, 0, 0, 0, 0, 0])  # 2
    _submit(ada, ada_patient, "gad7", [1, 1, 1, 1, 1, 0, 0])  # 5: +3 < 4
    assert not Alert.objects.exists()


def test_the_alert_rolls_back_with_its_trigger(ada, ada_patient, monkeypatch) -> None:
    """Outbox: a failure after the alert is written takes both the answers and the alert back."""
    from careloop.audit import services as audit_services

    real = audit_services.record_event

    def fail_after_alert(**kwargs):
        if kwargs["action"] == "alert.raised":
            raise RuntimeError("audit store down")
        return real(**kwargs)

    monkeypatch.setattr("careloop.safety.services.audit.record_event", fail_after_alert)
    with pytest.raises(RuntimeError):
        submit_risk(ada, ada_patient)
    assert not Assessment.objects.exists() and not Alert.objects.exists()


def test_text_signal_moderate_raises_once_per_text(ada, ada_patient) -> None:
    evidence = {"spans": [{"start": 4, "end": 10, "text": "end it"}], "score": 0.71}
    first = raise_alert_for_text_signal(
        ada_patient, source="journal:1", evidence=evidence, level="moderate", actor=ada
    )
    again = raise_alert_for_text_signal(
        ada_patient, source="journal:1", evidence=evidence, level="moderate", actor=ada
    )
    assert first is not None and again == first
    assert first.source == AlertSource.TEXT and first.severity == "moderate"
    assert first.evidence["spans"][0]["text"] == "end it"
    assert first.evidence["source"] == "journal:1" and first.rule_id == "crisis_text"
    assert Alert.objects.count() == 1


@pytest.mark.parametrize("level", ["none", "low"])
def test_text_signal_never_lowers_or_touches_an_alert_raised_by_a_rule(
    ada, ada_patient, risk_alert, level
) -> None:
    before = Alert.objects.values().get(id=risk_alert.id)
    result = raise_alert_for_text_signal(
        ada_patient, source="message:9", evidence={}, level=level, actor=ada
    )
    assert result is None
    assert Alert.objects.values().get(id=risk_alert.id) == before
    assert Alert.objects.count() == 1


def test_a_moderate_text_signal_adds_beside_a_high_rule_alert(ada, ada_patient, risk_alert):
    text = raise_alert_for_text_signal(
        ada_patient, source="message:10", evidence={}, level="moderate", actor=None
    )
    risk_alert.refresh_from_db()
    assert risk_alert.severity == "high" and text is not None and text.severity == "moderate"


@pytest.mark.parametrize(
    ("source", "level"), [("", "high"), ("x" * 151, "high"), ("journal:2", "severe")]
)
def test_text_signal_rejects_bad_input(ada_patient, source, level) -> None:
    with pytest.raises(InvalidInput):
        raise_alert_for_text_signal(
            ada_patient, source=source, evidence={}, level=level, actor=None
        )


def test_a_clinician_raises_an_alert_by_hand_once_per_client_id(ben, ada_patient) -> None:
    client_id = uuid.uuid4()
    alert, created = raise_alert_by_clinician(
        ada_patient,
        actor=ben,
        severity="high",
        reason="Called: plans this weekend",
        client_id=client_id,
    )
    again, created_again = raise_alert_by_clinician(
        ada_patient,
        actor=ben,
        severity="high",
        reason="Called: plans this weekend",
        client_id=client_id,
    )
    assert (created, created_again, again) == (True, False, alert)
    assert alert.source == AlertSource.CLINICIAN and alert.raised_by == ben
    assert alert.evidence["reason"] == "Called: plans this weekend"
    event = AuditEvent.objects.get(action="alert.raised", object_id=str(alert.id))
    assert event.actor == ben and "plans" not in str(event.detail)  # no free text in audit


@pytest.mark.parametrize(
    ("severity", "reason"), [("urgent", "x"), ("high", "  "), ("low", "x" * 2001)]
)
def test_a_hand_raised_alert_needs_a_severity_and_a_reason(ben, ada_patient, severity, reason):
    with pytest.raises(InvalidInput):
        raise_alert_by_clinician(ada_patient, actor=ben, severity=severity, reason=reason)


def test_a_patient_cannot_raise_an_alert_by_hand(ada, ada_patient) -> None:
    with pytest.raises(InvalidInput):
        raise_alert_by_clinician(ada_patient, actor=ada, severity="high", reason="x")


def test_an_acknowledged_text_alert_stays_acknowledged_when_the_same_text_is_screened_again(
    ada, ada_patient, ben
) -> None:
    alert = raise_alert_for_text_signal(
        ada_patient, source="journal:3", evidence={}, level="high", actor=ada
    )
    assert alert is not None
    acknowledge_alert(alert, actor=ben)
    again = raise_alert_for_text_signal(
        ada_patient, source="journal:3", evidence={}, level="high", actor=ada
    )
    assert again is not None and again.id == alert.id and again.status == AlertStatus.ACKNOWLEDGED
