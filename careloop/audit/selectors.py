"""Reads of the audit log. The log names patients only by keyed HMAC, so every look-up by patient
goes through `patient_ref`; whoever calls `events_for_patient` has already checked that the
reader may see this patient (their own record, or a patient of their team)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from django.db.models import QuerySet

from careloop.audit.keys import patient_ref
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction

__all__ = ["events_for_patient", "patient_ref", "recent_events_of_service"]


def events_for_patient(*, service_id: uuid.UUID, patient_id: uuid.UUID) -> QuerySet[AuditEvent]:
    """Every read and write of one patient's data in one service, newest first, with the actor."""
    return (
        AuditEvent.objects.filter(service_id=service_id, patient_ref=patient_ref(patient_id))
        .select_related("actor")
        .order_by("-occurred_at", "-seq")
    )


def recent_events_of_service(
    *, service_id: uuid.UUID, actions: Collection[AuditAction], limit: int = 200
) -> list[AuditEvent]:
    """The newest `limit` events of these actions on one service's chain, with the actor (the
    caller has checked the reader administers this service)."""
    return list(
        AuditEvent.objects.filter(service_id=service_id, action__in=list(actions))
        .select_related("actor")
        .order_by("-seq")[:limit]
    )


def events_for_patients(
    *, service_id: uuid.UUID | None, patient_ids: Collection[uuid.UUID]
) -> QuerySet[AuditEvent]:
    """As events_for_patient for several patients (the caller has checked the reader may see
    each); nothing without a service or a patient."""
    if service_id is None or not patient_ids:
        return AuditEvent.objects.none()
    refs = [patient_ref(patient_id) for patient_id in patient_ids]
    return AuditEvent.objects.filter(service_id=service_id, patient_ref__in=refs)
