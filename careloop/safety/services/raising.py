"""Raising alerts, always inside the transaction of the data that triggered them (outbox).

Four entry points, one write path (`_store`): a questionnaire's risk answers and sharp score rise
(the submission hook), crisis language in text (called by the text detector's caller), and a
clinician raising one by hand. Each trigger has a key unique per service, so a retried trigger
returns the alert it already has instead of storing a second one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction

from careloop.assessments.selectors import previous_total_for_system
from careloop.assessments.types import SubmissionSource
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.errors import InvalidInput
from careloop.safety.models import Alert
from careloop.safety.rules import RiskSignal, signals_from_risk_flags
from careloop.safety.rules.deterioration import signals_from_score_change
from careloop.safety.rules.registry import CLINICIAN_RAISED
from careloop.safety.rules.text_signal import UnknownTextLevel, signal_from_text_level
from careloop.safety.services.audit import audit_alert
from careloop.safety.services.escalation import dispatch_now
from careloop.safety.types import AlertSource, Severity

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.assessments.models import Assessment
    from careloop.care.models import Patient

MAX_REASON_CHARS = 2000


def _store(
    patient: Patient,
    signal: RiskSignal,
    *,
    source: AlertSource,
    trigger_key: str,
    actor: User | None,
    assessment: Assessment | None = None,
) -> tuple[Alert, bool]:
    """Store one alert for one trigger (or return the one it has); audit it; dispatch on commit."""
    existing = Alert.objects.filter(service_id=patient.service_id, trigger_key=trigger_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():  # savepoint: a racing twin must not poison the caller's tx
            alert = Alert.objects.create(
                service_id=patient.service_id,
                patient=patient,
                assessment=assessment,
                source=source,
                trigger_key=trigger_key,
                rule_id=signal.rule_id,
                rule_version=signal.rule_version,
                severity=signal.severity,
                evidence=dict(signal.evidence),
                raised_at=clock.now(),
                raised_by=actor,
            )
    except IntegrityError:
        return Alert.objects.get(service_id=patient.service_id, trigger_key=trigger_key), False
    audit_alert(
        AuditAction.ALERT_RAISED,
        alert,
        actor=actor,
        detail={"rule": f"{signal.rule_id}@{signal.rule_version}", "severity": signal.severity},
    )
    # Start the chain right after the trigger commits (inbox visible within milliseconds); the
    # worker does it anyway if this process dies first, or if eager dispatch is switched off.
    if getattr(settings, "SAFETY_EAGER_DISPATCH", True):
        transaction.on_commit(partial(dispatch_now, [alert.id]), robust=True)
    return alert, True


def raise_alerts_for_assessment(assessment: Assessment) -> list[Alert]:
    """Submission hook: one alert per risk answer and one for a sharp rise, in the caller's tx."""
    patient = assessment.patient
    signals = [
        (AlertSource.INSTRUMENT_ITEM, signal)
        for signal in signals_from_risk_flags(assessment.instrument_version, assessment.risk_flags)
    ]
    signals += [
        (AlertSource.DETERIORATION, signal)
        for signal in signals_from_score_change(
            assessment.instrument_id,
            assessment.instrument_version,
            previous_total_for_system(assessment),
            assessment.score_total,
        )
    ]
    if assessment.source == SubmissionSource.IMPORT:
        # The clinician must see at once that this answer came from another system's record.
        imported = {"imported_result": True, "completed_at": assessment.completed_at.isoformat()}
        signals = [
            (source, replace(signal, evidence={**signal.evidence, **imported}))
            for source, signal in signals
        ]
    alerts = []
    for source, signal in signals:
        key = f"assessment:{assessment.id}:{signal.rule_id}:{signal.discriminator}"
        alert, _ = _store(
            patient,
            signal,
            source=source,
            trigger_key=key,
            actor=None,
            assessment=assessment,
        )
        alerts.append(alert)
    return alerts


def raise_alert_for_text_signal(
    patient: Patient,
    *,
    source: str,
    evidence: Mapping[str, Any],
    level: str,
    actor: User | None,
) -> Alert | None:
    """Turn a crisis-language result into an alert (moderate, high) or nothing (none, low).

    Call it inside the transaction that stores the text, so text and alert commit together.
    `source` names the text uniquely (e.g. "journal:<id>"): screening the same text again returns
    the alert it already raised. The text signal only ever adds: a `none` result never lowers,
    closes or replaces any alert.
    """
    if not source or len(source) > 150:
        raise InvalidInput("source must name the screened text in 1-150 characters")
    try:
        signal = signal_from_text_level(level, {**evidence, "source": source})
    except UnknownTextLevel as error:
        raise InvalidInput(str(error)) from None
    if signal is None:
        return None
    alert, _ = _store(
        patient, signal, source=AlertSource.TEXT, trigger_key=f"text:{source}", actor=actor
    )
    return alert


def raise_alert_by_clinician(
    patient: Patient,
    *,
    actor: User,
    severity: str,
    reason: str,
    client_id: uuid.UUID | None = None,
) -> tuple[Alert, bool]:
    """A clinician raises an alert by hand; `patient` must come from a visibility selector.

    `client_id` makes a re-sent form or request store one alert; returns (alert, created).
    """
    if not actor.works_in_care_team:
        raise InvalidInput("only clinicians and supervisors raise alerts")
    if severity not in (values := [s.value for s in Severity]):
        raise InvalidInput(f"severity must be one of {', '.join(values)}")
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"give a reason of 1-{MAX_REASON_CHARS} characters")
    signal = RiskSignal(
        rule_id=CLINICIAN_RAISED.rule_id,
        rule_version=CLINICIAN_RAISED.version,
        severity=severity,
        evidence={"reason": reason, "raised_by": actor.get_full_name() or actor.username},
    )
    key = f"clinician:{actor.id}:{client_id or uuid.uuid4()}"
    with transaction.atomic():
        return _store(patient, signal, source=AlertSource.CLINICIAN, trigger_key=key, actor=actor)
