"""Writes of alerts: raise them inside the triggering transaction, then tell the care team."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from careloop.accounts.models import CARE_TEAM_ROLES, User
from careloop.assessments.models import Assessment
from careloop.audit.models import AuditAction, Purpose
from careloop.audit.services import record_event
from careloop.core import clock
from careloop.notifications.models import Channel
from careloop.notifications.services import queue_notification
from careloop.safety.models import Alert, AlertStatus
from careloop.safety.rules import signals_from_risk_flags

NOTIFY_BATCH_SIZE = 50


def raise_alerts_for_assessment(assessment: Assessment) -> list[Alert]:
    """Submission hook: one alert per risk signal, in the caller's transaction (outbox)."""
    signals = signals_from_risk_flags(assessment.instrument_version, assessment.risk_flags)
    alerts = []
    for signal in signals:
        alert = Alert.objects.create(
            service_id=assessment.service_id,
            patient_id=assessment.patient_id,
            assessment=assessment,
            rule_id=signal.rule_id,
            rule_version=signal.rule_version,
            severity=signal.severity,
            evidence=dict(signal.evidence),
            raised_at=clock.now(),
        )
        record_event(
            actor=None,
            action=AuditAction.ALERT_RAISED,
            service_id=alert.service_id,
            patient_id=alert.patient_id,
            purpose=Purpose.TREATMENT,
            obj=("Alert", alert.id),
            detail={"rule": f"{signal.rule_id}@{signal.rule_version}", "severity": signal.severity},
        )
        alerts.append(alert)
    return alerts


def _care_team_of(alert: Alert) -> list[User]:
    return list(
        User.objects.filter(
            service_id=alert.service_id,
            role__in=CARE_TEAM_ROLES,
            is_active=True,
            team_memberships__team_id=alert.patient.care_team_id,
        )
    )


def _notify(alert: Alert) -> None:
    link = reverse("safety:alert-list")
    for member in _care_team_of(alert):
        for channel in (Channel.IN_APP, Channel.EMAIL):
            queue_notification(
                recipient=member,
                channel=channel,
                subject=f"Careloop: a {alert.severity} safety alert needs review",
                # No name, no answers: e-mail is not a safe place for clinical detail.
                body="A patient in your care team has a new safety alert. Review it in Careloop: "
                f"{link}",
                link_path=link,
                idempotency_key=f"alert:{alert.id}:{member.id}:{channel}",
            )


def notify_raised_alerts() -> int:
    """Worker job: tell the care team about every newly raised alert; return how many.

    1. Lock a batch of RAISED alerts, skipping those another worker holds.
    2. Queue an in-app and an e-mail notification per team member (idempotent keys, so a crash
       between 2 and 3 only re-queues what already exists).
    3. Mark each NOTIFIED and audit it, in the same transaction as the queued messages.
    """
    with transaction.atomic():
        alerts = list(
            Alert.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("patient")
            .filter(status=AlertStatus.RAISED)
            .order_by("raised_at")[:NOTIFY_BATCH_SIZE]
        )
        now = clock.now()
        for alert in alerts:
            _notify(alert)
            alert.status = AlertStatus.NOTIFIED
            alert.notified_at = now
            alert.save(update_fields=["status", "notified_at"])
            record_event(
                actor=None,
                action=AuditAction.ALERT_NOTIFIED,
                service_id=alert.service_id,
                patient_id=alert.patient_id,
                purpose=Purpose.TREATMENT,
                obj=("Alert", alert.id),
            )
    return len(alerts)
