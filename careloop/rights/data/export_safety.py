"""Exporters of the safety records about the patient: alerts (Flag), how each alert reached
staff (Communication), safety-plan versions (CarePlan) and break-glass grants (AuditEvent)."""

from __future__ import annotations

from collections.abc import Iterator

from careloop.fhir.mapping.care_plan import safety_plan_resource
from careloop.fhir.mapping.common import Resource, instant, reference
from careloop.fhir.mapping.flag import flag_resource
from careloop.privacy.models import BreakGlassGrant
from careloop.rights.data import export_resources as shapes
from careloop.rights.data.export_records import CHUNK, ExportScope
from careloop.safety.models import (
    Alert,
    AlertDelivery,
    EscalationStep,
    FallbackBanner,
    InboxEntry,
    ReviewItem,
)
from careloop.safety.planning.models import SafetyPlan

_DELIVERY_STATUS = {
    "pending": "preparation",
    "in_flight": "in-progress",
    "delivered": "completed",
    "failed": "not-done",
    "cancelled": "stopped",
}


def alerts(scope: ExportScope) -> Iterator[Resource]:
    for alert in Alert.objects.filter(patient=scope.patient).order_by("raised_at").iterator(CHUNK):
        flag = flag_resource(alert)
        if alert.outcome:
            flag.setdefault("extension", []).append(
                {
                    "url": f"{shapes.EXTENSION}/alert-outcome",
                    "valueString": f"{alert.get_outcome_display()}. {alert.outcome_note}".strip(),
                }
            )
        yield flag


def review_items(scope: ExportScope) -> Iterator[Resource]:
    """Each request for a clinician's risk review (a FHIR Task) and, once done, what was found."""
    items = ReviewItem.objects.filter(patient=scope.patient).order_by("created_at")
    for item in items.iterator(CHUNK):
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


def alert_communications(scope: ExportScope) -> Iterator[Resource]:
    """Who was told about each alert about me, when, and how (steps, deliveries, inboxes)."""
    patient_id = scope.patient.id
    steps = EscalationStep.objects.filter(alert__patient=scope.patient).order_by("fired_at")
    for step in steps.iterator(CHUNK):
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
    deliveries = AlertDelivery.objects.filter(alert__patient=scope.patient).order_by("created_at")
    for delivery in deliveries.iterator(CHUNK):
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
    entries = InboxEntry.objects.filter(alert__patient=scope.patient).order_by("created_at")
    for entry in entries.iterator(CHUNK):
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
    for banner in FallbackBanner.objects.filter(alert__patient=scope.patient).order_by("raised_at"):
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


def safety_plan_versions(scope: ExportScope) -> Iterator[Resource]:
    plan = SafetyPlan.objects.filter(patient=scope.patient).first()
    if plan is None:
        return
    for version in plan.versions.order_by("number"):
        yield safety_plan_resource(plan, version, include_text=True)


def break_glass(scope: ExportScope) -> Iterator[Resource]:
    rows = BreakGlassGrant.objects.filter(patient=scope.patient).order_by("started_at")
    for grant in rows.iterator(CHUNK):
        yield shapes.break_glass_event(
            record_id=grant.id,
            patient_id=scope.patient.id,
            clinician_id=grant.clinician_id,
            reason=grant.reason,
            started_at=grant.started_at,
            expires_at=grant.expires_at,
            ended_at=grant.ended_at,
        )
