"""Audit's patient data (registry: careloop.core.patient_data): the trail of who looked at or
changed the patient's record. It names the patient only by a keyed HMAC, so erasure keeps it
(pseudonymous) and its hash chain is never touched; the export carries all of it."""

from __future__ import annotations

from collections.abc import Iterator

from careloop.audit.models import AuditEvent
from careloop.audit.selectors import events_for_patient
from careloop.core.patient_data import EXPORT_CHUNK, PatientData, PatientScope, register


def _events(scope: PatientScope) -> Iterator[AuditEvent]:
    """The patient's audit trail, oldest first."""
    patient = scope.patient
    rows = events_for_patient(service_id=patient.service_id, patient_id=patient.id)
    return rows.order_by("occurred_at", "seq").iterator(EXPORT_CHUNK)


register(PatientData(AuditEvent, rows=_events))
