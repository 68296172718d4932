"""JSON API: the clinician's alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from careloop.accounts.api import api_user
from careloop.audit.models import AuditAction, Purpose
from careloop.audit.services import record_event, record_patient_reads
from careloop.safety.models import Alert
from careloop.safety.selectors import alert_visible_to, alerts_visible_to

router = Router(tags=["safety"], auth=django_auth)


class AlertOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    assessment_id: uuid.UUID | None
    rule: str
    severity: str
    status: str
    evidence: dict[str, Any]
    raised_at: datetime
    notified_at: datetime | None


class ErrorOut(Schema):
    detail: str


def _out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        patient_id=alert.patient_id,
        assessment_id=alert.assessment_id,
        rule=f"{alert.rule_id}@{alert.rule_version}",
        severity=alert.severity,
        status=alert.status,
        evidence=alert.evidence,
        raised_at=alert.raised_at,
        notified_at=alert.notified_at,
    )


@router.get("/alerts", response=list[AlertOut], summary="Alerts for my care teams, newest first")
def list_alerts(request: HttpRequest, status: str | None = None) -> list[AlertOut]:
    user = api_user(request)
    rows = alerts_visible_to(user)
    if status:
        rows = rows.filter(status=status)
    alerts = list(rows[:200])
    if alerts and user.service_id is not None:
        record_patient_reads(
            actor=user,
            action=AuditAction.ALERTS_VIEWED,
            service_id=user.service_id,
            patient_ids=sorted({a.patient_id for a in alerts}),
            purpose=Purpose.TREATMENT,
        )
    return [_out(alert) for alert in alerts]


@router.get("/alerts/{alert_id}", response={200: AlertOut, 404: ErrorOut})
def get_alert(request: HttpRequest, alert_id: uuid.UUID) -> AlertOut:
    user = api_user(request)
    alert = alert_visible_to(user, alert_id)
    record_event(
        actor=user,
        action=AuditAction.ALERTS_VIEWED,
        service_id=alert.service_id,
        patient_id=alert.patient_id,
        purpose=Purpose.TREATMENT,
        obj=("Alert", alert.id),
    )
    return _out(alert)
