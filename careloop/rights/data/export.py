"""Export everything about a patient as one FHIR R4 Bundle (type collection).

GDPR Art. 15/20 (right of access, portability). Each record type's rows come from its owning
domain through the patient data registry (careloop.core.patient_data, each domain's
`patient_data.py`); this module only shapes them, one shaper per record type of the retention
policy (`retention.py`), in Bundle order. The registry test fails if a table holding patient
data is not registered, or is exported with no shaper. Domains hand rows over in bounded chunks
(`iterator`), so a patient with ten thousand records is exported in seconds without holding the
model rows in memory.

Access: the patient exports only themself; a service admin of the patient's service exports on
a written request (`careloop patient export`). Anyone else gets NotFound. Every export is
audited (action `rights.exported`, counts per resource type only).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db import transaction

from careloop.accounts.patient_data import live_session_keys
from careloop.accounts.types import Role
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.core import clock
from careloop.core.errors import NotFound
from careloop.core.patient_data import PatientScope, registered
from careloop.fhir.canonical import outbound
from careloop.fhir.mapping.common import Resource, instant
from careloop.fhir.patient_data import authorised_app_count
from careloop.rights.data import export_ai as ai_records
from careloop.rights.data import export_records as records
from careloop.rights.data import export_safety as safety_records
from careloop.rights.data.export_records import Shaper

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

# Record type (model label) → how its rows become resources, in Bundle order. Types the
# registry marks `part_of` another travel inside that type's resources; credentials (sessions,
# app tokens) are not in the Bundle (the readable page lists them); bulk-export files and
# sign-in logs are copies of what is exported here. The registry test checks this table.
SHAPERS: dict[str, Shaper] = {
    "care.Patient": records.patient,
    "otp_totp.TOTPDevice": records.totp_devices,
    "notifications.PushSubscription": records.push_subscriptions,
    "care.TreatmentEpisode": records.episodes,
    "care.SteppedCareChange": records.step_changes,
    "supervision.CaseReview": records.case_reviews,
    "ai.Prediction": ai_records.predictions,
    "ai.Suggestion": ai_records.suggestions,
    "ai.ReviewTask": ai_records.review_tasks,
    "assessments.Assessment": records.assessments,
    "monitoring.MeasurementPlan": records.measurement_plans,
    "monitoring.CheckIn": records.checkins,
    "monitoring.ReminderPreference": records.reminder_preferences,
    "journal.JournalEntry": records.journal,
    "messaging.Message": records.messages,
    "notifications.Notification": records.notifications,
    "fhir.ImportedResource": records.imports,
    "safety.Alert": safety_records.alerts,
    "safety.EscalationStep": safety_records.escalation_steps,
    "safety.AlertDelivery": safety_records.alert_deliveries,
    "safety.InboxEntry": safety_records.inbox_entries,
    "safety.FallbackBanner": safety_records.fallback_banners,
    "safety.ReviewItem": safety_records.review_items,
    "safety_planning.SafetyPlan": safety_records.safety_plan_versions,
    "privacy.ConsentDecision": records.consents,
    "privacy.BreakGlassGrant": safety_records.break_glass,
    "audit.AuditEvent": records.audit,
}


def _may_export(actor: User, patient: Patient) -> bool:
    if actor.service_id != patient.service_id or not actor.is_active:
        return False
    if actor.role == Role.PATIENT:
        return patient.user_id == actor.id
    return actor.role == Role.SERVICE_ADMIN


def iter_resources(patient: Patient) -> Iterator[Resource]:
    """Every resource of the export, each record type once, in Bundle order: the rows each
    domain registered for the patient, shaped here."""
    scope = PatientScope(patient=patient, user=patient.user)
    entries = registered()
    for label, shape in SHAPERS.items():
        rows = entries[label].rows
        if rows is not None:
            yield from shape(scope, rows(scope))


def export_patient(actor: User, patient: Patient, *, source_ip: str | None = None) -> Resource:
    """The patient's whole record as a FHIR Bundle of type collection (audited).

    NotFound unless `actor` is the patient or a service admin of the patient's service, and for
    an erased patient (nothing identifiable is left to export).
    """
    if not _may_export(actor, patient) or patient.erased_at is not None:
        raise NotFound("patient")
    started = clock.now()
    with transaction.atomic():  # one consistent snapshot on PostgreSQL (repeatable within it)
        resources = list(iter_resources(patient))
        counts = Counter(str(r["resourceType"]) for r in resources)
        record_event(
            actor=actor,
            action=AuditAction.DATA_EXPORTED,
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=PurposeOfUse.PATRQT if actor.role == Role.PATIENT else PurposeOfUse.HOPERAT,
            obj=("Patient", patient.id),
            source_ip=source_ip,
            detail={"resources": len(resources), "by_type": dict(sorted(counts.items()))},
        )
    # Careloop URLs are written under the placeholder base: moved to the configured one here.
    bundle: Resource = outbound(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid4()),
            "meta": {"lastUpdated": instant(started)},
            "type": "collection",
            "timestamp": instant(started),
            "entry": [{"resource": resource} for resource in resources],
        }
    )
    return bundle


def credentials_of(user: User | None) -> dict[str, int]:
    """How many sign-in sessions and app authorisations the patient has (for the page)."""
    if user is None:
        return {"sessions": 0, "apps": 0}
    return {"sessions": len(live_session_keys(user)), "apps": authorised_app_count(user)}
