"""Exporters of the safety records about the patient: alerts (Flag), how each alert reached
staff (Communication), safety-plan versions (CarePlan) and break-glass grants (AuditEvent)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from careloop.fhir.mapping.care_plan import safety_plan_resource
from careloop.fhir.mapping.common import Resource, instant, reference
from careloop.fhir.mapping.flag import flag_resource
from careloop.rights.data import export_resources as shapes
from careloop.rights.data.export_records import ExportScope

if TYPE_CHECKING:
    from careloop.privacy.models import BreakGlassGrant
    from careloop.safety.models import (
        Alert,
        AlertDelivery,
        EscalationStep,
        FallbackBanner,
        InboxEntry,
        ReviewItem,
    )
    from careloop.safety.planning.models import SafetyPlanVersion

_DELIVERY_STATUS = {
    "pending": "preparation",
    "in_flight": "in-progress",
    "delivered": "completed",
    "failed": "not-done",
    "cancelled": "stopped",
}


def alerts(_: ExportScope, rows: Iterable[Alert]) -> Iterator[Resource]:
    for alert in rows:
        flag = flag_resource(alert)
        if alert.outcome:
            flag.setdefault("extension", []).append(
                {
                    "url": f"{shapes.EXTENSION}/alert-outcome",
                    "valueString": f"{alert.get_outcome_display()}. {alert.outcome_note}".strip(),
                }
            )
        yield flag


def review_items(scope: ExportScope, rows: Iterable[ReviewItem]) -> Iterator[Resource]:
    """Each request for a clinician's risk review (a FHIR Task) and, once done, what was found."""
    for item in rows:
        task: Resource = {
            "resourceType": "Task",
            "id": str(item.id),
            "status": "completed" if item.reviewed_at else "requested",
            "intent": "order",
            "code": {"text": item.get_kind_display()},
            "description": item.reason,
            "for": reference("Patient", scope.patient.id),
            "authoredOn": instant(item.created_at),
        }
        if item.reviewed_at is not None:
            task["lastModified"] = instant(item.reviewed_at)
            task["note"] = [{"text": item.outcome_note}]
        yield task


# Who was told about each alert about me, when, and how: escalation steps, deliveries, inbox
# entries and fallback banners, each a Communication about the alert's Flag.


def escalation_steps(scope: ExportScope, rows: Iterable[EscalationStep]) -> Iterator[Resource]:
    patient_id = scope.patient.id
    for step in rows:
        yield shapes.communication(
            record_id=step.id,
            patient_id=patient_id,
            category="alert-escalation-step",
            category_text="A step of a safety alert's escalation",
            status="completed",
            sent=step.fired_at,
            about=[reference("Flag", step.alert_id)],
            payload=[
                f"{step.kind} {step.number}: {step.target or 'fallback'}; "
                f"{step.recipient_count} people told. {step.note}".strip()
            ],
        )


def alert_deliveries(scope: ExportScope, rows: Iterable[AlertDelivery]) -> Iterator[Resource]:
    patient_id = scope.patient.id
    for delivery in rows:
        yield shapes.communication(
            record_id=delivery.id,
            patient_id=patient_id,
            category="alert-delivery",
            category_text="A message telling staff about a safety alert",
            status=_DELIVERY_STATUS.get(delivery.state, "unknown"),
            sent=delivery.delivered_at or delivery.created_at,
            medium=delivery.channel,
            recipient=[reference("Practitioner", delivery.recipient_id)],
            about=[reference("Flag", delivery.alert_id)],
        )


def inbox_entries(scope: ExportScope, rows: Iterable[InboxEntry]) -> Iterator[Resource]:
    patient_id = scope.patient.id
    for entry in rows:
        yield shapes.communication(
            record_id=entry.id,
            patient_id=patient_id,
            category=f"alert-inbox-{entry.kind}",
            category_text="A safety alert in a staff member's inbox",
            status="completed",
            sent=entry.created_at,
            medium="in_app",
            recipient=[reference("Practitioner", entry.recipient_id)],
            about=[reference("Flag", entry.alert_id)],
        )


def fallback_banners(scope: ExportScope, rows: Iterable[FallbackBanner]) -> Iterator[Resource]:
    patient_id = scope.patient.id
    for banner in rows:
        yield shapes.communication(
            record_id=banner.id,
            patient_id=patient_id,
            category="alert-fallback",
            category_text="A warning to all staff that an alert could not be delivered",
            status="completed" if banner.resolved_at else "in-progress",
            sent=banner.raised_at,
            about=[reference("Flag", banner.alert_id)],
            payload=[banner.reason],
        )


def safety_plan_versions(_: ExportScope, rows: Iterable[SafetyPlanVersion]) -> Iterator[Resource]:
    for version in rows:  # each with its plan (select_related by safety planning)
        yield safety_plan_resource(version.plan, version, include_text=True)


def break_glass(scope: ExportScope, rows: Iterable[BreakGlassGrant]) -> Iterator[Resource]:
    for grant in rows:
        yield shapes.break_glass_event(
            record_id=grant.id,
            patient_id=scope.patient.id,
            clinician_id=grant.clinician_id,
            reason=grant.reason,
            started_at=grant.started_at,
            expires_at=grant.expires_at,
            ended_at=grant.ended_at,
        )
