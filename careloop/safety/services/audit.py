"""Audit events of the alert lifecycle, with the patient and the alert as subject."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from careloop.accounts.models import User
from careloop.audit.services import record_event
from careloop.audit.types import Purpose
from careloop.safety.models import Alert


class SafetyAuditAction(StrEnum):
    RAISED = "alert.raised"
    VIEWED = "alert.viewed"
    NOTIFIED = "alert.notified"
    ESCALATED = "alert.escalated"
    ESCALATION_DEFERRED = "alert.escalation_deferred"  # a low alert's paging tier in quiet hours
    FALLBACK_FIRED = "alert.fallback_fired"
    ACKNOWLEDGED = "alert.acknowledged"
    ACTIONED = "alert.actioned"
    CLOSED = "alert.closed"
    POLICY_CHANGED = "escalation.policy_changed"
    ON_CALL_CHANGED = "escalation.on_call_changed"
    REVIEW_REQUESTED = "review.requested"
    REVIEW_COMPLETED = "review.completed"
    REVIEWS_VIEWED = "review.viewed"


def audit_alert(
    action: SafetyAuditAction,
    alert: Alert,
    *,
    actor: User | None,
    detail: dict[str, Any] | None = None,
    source_ip: str | None = None,
) -> None:
    """Record who did what to which alert (ids and codes only: never notes or answers)."""
    record_event(
        actor=actor,
        action=action,
        service_id=alert.service_id,
        patient_id=alert.patient_id,
        purpose=Purpose.TREATMENT,
        obj=("Alert", alert.id),
        detail=detail,
        source_ip=source_ip,
    )
