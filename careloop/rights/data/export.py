"""Export everything about a patient as one FHIR R4 Bundle (type collection).

GDPR Art. 15/20 (right of access, portability). One exporter per record type of the retention
policy (`retention.py`): the inventory test fails if a table holding patient data has none.
Records are read in bounded chunks (`iterator`), so a patient with ten thousand records is
exported in seconds without holding the model rows in memory.

Access: the patient exports only themself; a service admin of the patient's service exports on
a written request (`careloop patient export`). Anyone else gets NotFound. Every export is
audited (action `rights.exported`, counts per resource type only).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import transaction

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.models import Patient
from careloop.core import clock
from careloop.core.errors import NotFound
from careloop.fhir.mapping.common import Resource, instant
from careloop.rights.data import export_records as records
from careloop.rights.data import export_safety as safety_records
from careloop.rights.data.export_records import CHUNK, Exporter, ExportScope

EXPORTERS: dict[str, Exporter] = {
    "care.Patient": records.patient,
    "accounts.User": records.covered_by,  # e-mail, phone and user name are in the Patient resource
    "sessions.Session": records.covered_by,
    "otp_totp.TOTPDevice": records.devices,
    "notifications.PushSubscription": records.covered_by,  # by records.devices
    "care.TreatmentEpisode": records.episodes,
    "assessments.Assessment": records.assessments,
    "monitoring.MeasurementPlan": records.measurement_plans,
    "monitoring.PlanItem": records.covered_by,  # activities of the measurement-plan CarePlan
    "monitoring.CheckIn": records.checkins,
    "monitoring.FollowUpOffer": records.covered_by,  # offered/completed: audit events
    "journal.JournalEntry": records.journal,
    "messaging.Message": records.messages,
    "notifications.Notification": records.notifications,
    "fhir.ImportedResource": records.imports,
    "fhir.ExportPart": records.covered_by,  # copies of the records exported here
    "safety.Alert": safety_records.alerts,
    "safety.EscalationStep": safety_records.alert_communications,
    "safety.AlertDelivery": records.covered_by,  # by safety_records.alert_communications
    "safety.InboxEntry": records.covered_by,
    "safety.FallbackBanner": records.covered_by,
    "safety.ReviewItem": safety_records.review_items,
    "safety_planning.SafetyPlan": safety_records.safety_plan_versions,
    "safety_planning.SafetyPlanVersion": records.covered_by,  # each version is one CarePlan version
    "privacy.ConsentDecision": records.consents,
    "privacy.BreakGlassGrant": safety_records.break_glass,
    "audit.AuditEvent": records.audit,
    **{
        f"axes.{name}": records.covered_by
        for name in ("AccessAttempt", "AccessLog", "AccessFailureLog")
    },
    **{
        f"oauth2_provider.{name}": records.covered_by
        for name in ("AccessToken", "RefreshToken", "Grant", "IDToken", "DeviceGrant")
    },
}


def _may_export(actor: User, patient: Patient) -> bool:
    if actor.service_id != patient.service_id or not actor.is_active:
        return False
    if actor.role == Role.PATIENT:
        return patient.user_id == actor.id
    return actor.role == Role.SERVICE_ADMIN


def iter_resources(patient: Patient) -> Iterator[Resource]:
    """Every resource of the export, each record type once, in policy order."""
    scope = ExportScope(patient=patient, user=patient.user)
    seen: set[Exporter] = set()
    for exporter in EXPORTERS.values():
        if exporter not in seen:
            seen.add(exporter)
            yield from exporter(scope)


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
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": instant(started)},
        "type": "collection",
        "timestamp": instant(started),
        "entry": [{"resource": resource} for resource in resources],
    }


def credentials_of(user: User | None) -> dict[str, int]:
    """How many sign-in sessions and app authorisations the patient has (for the page)."""
    if user is None:
        return {"sessions": 0, "apps": 0}
    now = clock.now()
    tokens = apps.get_model("oauth2_provider", "AccessToken").objects
    authorised = tokens.filter(user=user, expires__gt=now).values("application").distinct()
    return {"sessions": len(sessions_of(user)), "apps": authorised.count()}


def sessions_of(user: User) -> list[str]:
    """Keys of the user's unexpired sessions (the user id sits inside the session blob)."""
    keys = []
    for session in Session.objects.filter(expire_date__gt=clock.now()).iterator(CHUNK):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.id):
            keys.append(session.session_key)
    return keys
