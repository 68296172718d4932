"""Audit events of the alert lifecycle, with the patient and the alert as subject."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.safety.models import Alert

if TYPE_CHECKING:
    from careloop.accounts.models import User


def audit_alert(
    action: AuditAction,
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
        purpose=PurposeOfUse.TREAT,
        obj=("Alert", alert.id),
        detail=detail,
        source_ip=source_ip,
    )
