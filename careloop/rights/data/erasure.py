"""Erasure on request (GDPR Art. 17), as the retention policy (`retention.py`) says.

The patient asks on /me/data/erase/; a service admin carries it out (`careloop patient erase`).
In ONE transaction every erasable record is deleted, records under legal hold (closed safety
alerts and everything that records how they were handled, safety plans, break-glass grants)
are kept untouched, the login is closed and emptied, and the Patient row stays as a tombstone
without identifiers, so the held records still point somewhere. The audit trail names the
patient only by a keyed HMAC, so its hash chain is never touched.

While a safety alert about the patient is still open, erasure is refused: the safety process
must finish first (its record is then held).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max, Model, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from careloop.accounts.models import User
from careloop.accounts.sessions import end_all_sessions
from careloop.accounts.types import Role
from careloop.assessments.models import Assessment
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.models import Patient, TreatmentEpisode
from careloop.care.types import Gender
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, NotFound
from careloop.fhir.models import ExportPart, ImportedResource
from careloop.journal.models import JournalEntry
from careloop.messaging.models import Message
from careloop.monitoring.models import CheckIn, FollowUpOffer, MeasurementPlan, PlanItem
from careloop.notifications.models import Notification, PushSubscription
from careloop.privacy.models import BreakGlassGrant, ConsentDecision
from careloop.rights.data.retention import SAFETY_RECORD_YEARS, legal_hold_until
from careloop.safety.models import (
    Alert,
    AlertDelivery,
    EscalationStep,
    FallbackBanner,
    InboxEntry,
    ReviewItem,
)
from careloop.safety.planning.models import SafetyPlan, SafetyPlanVersion
from careloop.safety.types import AlertStatus

OAUTH_MODELS = ("RefreshToken", "AccessToken", "IDToken", "Grant", "DeviceGrant")
AXES_MODELS = ("AccessAttempt", "AccessLog", "AccessFailureLog")


def safety_record_years() -> int:
    """Years closed safety records are held; UNVERIFIED default, set per deployment."""
    return int(getattr(settings, "CARELOOP_SAFETY_RECORD_RETENTION_YEARS", SAFETY_RECORD_YEARS))


@dataclass
class ErasureReceipt:
    """What erasure did, per record type (model label): counts only, never content."""

    patient_id: uuid.UUID
    erased: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    legal_hold_until: datetime | None = None


# ------------------------------------------------------------------ what is held


def held_alerts(patient: Patient) -> QuerySet[Alert]:
    return Alert.objects.filter(patient=patient)


def held_assessment_ids(patient: Patient) -> set[uuid.UUID]:
    """Questionnaires that raised a safety alert are part of that alert's record (its evidence)."""
    ids = held_alerts(patient).exclude(assessment=None).values_list("assessment_id", flat=True)
    return {i for i in ids if i is not None}


def open_alert_count(patient: Patient) -> int:
    return held_alerts(patient).exclude(status=AlertStatus.CLOSED).count()


def _held_querysets(patient: Patient) -> dict[str, QuerySet]:  # type: ignore[type-arg]
    alerts = held_alerts(patient)
    return {
        "safety.Alert": alerts,
        "safety.EscalationStep": EscalationStep.objects.filter(alert__in=alerts),
        "safety.AlertDelivery": AlertDelivery.objects.filter(alert__in=alerts),
        "safety.InboxEntry": InboxEntry.objects.filter(alert__in=alerts),
        "safety.FallbackBanner": FallbackBanner.objects.filter(alert__in=alerts),
        "safety.ReviewItem": ReviewItem.objects.filter(patient=patient),
        "safety_planning.SafetyPlan": SafetyPlan.objects.filter(patient=patient),
        "safety_planning.SafetyPlanVersion": SafetyPlanVersion.objects.filter(
            plan__patient=patient
        ),
        "privacy.BreakGlassGrant": BreakGlassGrant.objects.filter(patient=patient),
        "assessments.Assessment": Assessment.objects.filter(id__in=held_assessment_ids(patient)),
    }


def held_counts(patient: Patient) -> dict[str, int]:
    """Record type → how many of the patient's records erasure would keep under legal hold."""
    return {label: rows.count() for label, rows in _held_querysets(patient).items()}


def _hold_end(patient: Patient) -> datetime | None:
    """The legal-hold end: N years after the last held safety record was closed or written."""
    moments = [
        held_alerts(patient).aggregate(at=Max("closed_at"))["at"],
        SafetyPlanVersion.objects.filter(plan__patient=patient).aggregate(at=Max("created_at"))[
            "at"
        ],
        BreakGlassGrant.objects.filter(patient=patient).aggregate(at=Max("started_at"))["at"],
    ]
    latest = max((m for m in moments if m is not None), default=None)
    return legal_hold_until(latest, years=safety_record_years()) if latest else None


# ------------------------------------------------------------------ what is erased


Eraser = Callable[[Patient, User | None], int]


def _delete(rows: QuerySet) -> int:  # type: ignore[type-arg]
    count = rows.count()
    rows.delete()
    return count


def _erasable_assessments(patient: Patient) -> QuerySet[Assessment]:
    return Assessment.objects.filter(patient=patient).exclude(id__in=held_assessment_ids(patient))


def _imports(patient: Patient, _: User | None) -> int:
    local = Q(local_type="Patient", local_id=patient.id) | Q(
        local_type="Assessment", local_id__in=_erasable_assessments(patient).values("id")
    )
    return _delete(ImportedResource.objects.filter(local, service_id=patient.service_id))


def _export_parts(patient: Patient, _: User | None) -> int:
    # Bulk-export files are NDJSON text naming the patient by id: any file that does is dropped
    # (the connected system exports again); the job's other files stay.
    return _delete(ExportPart.objects.filter(content__contains=str(patient.id)))


def _of_user(model: type[Model], column: str) -> Eraser:
    def erase(_: Patient, user: User | None) -> int:
        if user is None:
            return 0
        return _delete(model._default_manager.filter(**{column: user}))

    return erase


def _app_tokens(name: str) -> Eraser:
    """A connected app's tokens or grants for the patient: erasing them revokes the app."""
    return _of_user(apps.get_model("oauth2_provider", name), "user")


def _sign_in_logs(name: str) -> Eraser:
    """Lock-out protection keeps sign-in attempts by user name (and address): drop the login's."""
    model = apps.get_model("axes", name)

    def erase(_: Patient, user: User | None) -> int:
        return _delete(model.objects.filter(username=user.username)) if user else 0

    return erase


def _sessions(_: Patient, user: User | None) -> int:
    """Signs the patient out everywhere (the session blob names the user)."""
    return end_all_sessions(user) if user else 0


# Record type → how erasure removes it. Types under legal hold, the tombstone (care.Patient), the
# scrubbed login (accounts.User) and the pseudonymous audit trail are handled by erase_patient.
ERASERS: dict[str, Eraser] = {
    "fhir.ExportPart": _export_parts,
    "fhir.ImportedResource": _imports,
    "assessments.Assessment": lambda p, _: _delete(_erasable_assessments(p)),
    "monitoring.PlanItem": lambda p, _: _delete(PlanItem.objects.filter(plan__patient=p)),
    "monitoring.MeasurementPlan": lambda p, _: _delete(MeasurementPlan.objects.filter(patient=p)),
    "monitoring.CheckIn": lambda p, _: _delete(CheckIn.objects.filter(patient=p)),
    "monitoring.FollowUpOffer": lambda p, _: _delete(FollowUpOffer.objects.filter(patient=p)),
    "journal.JournalEntry": lambda p, _: _delete(JournalEntry.objects.filter(patient=p)),
    "messaging.Message": lambda p, _: _delete(Message.objects.filter(patient=p)),
    "care.TreatmentEpisode": lambda p, _: _delete(TreatmentEpisode.objects.filter(patient=p)),
    "privacy.ConsentDecision": lambda p, _: _delete(ConsentDecision.objects.filter(patient=p)),
    "notifications.Notification": _of_user(Notification, "recipient"),
    "notifications.PushSubscription": _of_user(PushSubscription, "user"),
    "otp_totp.TOTPDevice": _of_user(TOTPDevice, "user"),
    "sessions.Session": _sessions,
    **{f"oauth2_provider.{name}": _app_tokens(name) for name in OAUTH_MODELS},
    **{f"axes.{name}": _sign_in_logs(name) for name in AXES_MODELS},
}
HANDLED_BY_ERASE_PATIENT = frozenset(
    {
        "care.Patient",
        "accounts.User",
        "audit.AuditEvent",
        "safety.Alert",
        "safety.EscalationStep",
        "safety.AlertDelivery",
        "safety.InboxEntry",
        "safety.FallbackBanner",
        "safety.ReviewItem",
        "safety_planning.SafetyPlan",
        "safety_planning.SafetyPlanVersion",
        "privacy.BreakGlassGrant",
    }
)


def _scrub_user(user: User) -> None:
    """Close the login and empty it. The row stays: audit rows point at their actor."""
    user.username = f"erased-{uuid.uuid4().hex[:20]}"
    user.email = ""
    user.phone_number = ""
    user.first_name = ""
    user.last_name = ""
    user.password = make_password(None)  # unusable: nobody can sign in as it again
    user.is_active = False
    user.last_login = None
    user.save()


def _tombstone(patient: Patient, *, now: datetime, hold_until: datetime | None) -> None:
    patient.display_name = ""
    patient.birth_year = None
    patient.gender = Gender.PREFER_NOT_TO_SAY
    patient.ethnicity = ""
    patient.deprivation_quintile = None
    patient.preferred_language = ""
    patient.time_zone = "UTC"
    patient.user = None
    patient.erased_at = now
    patient.legal_hold_until = hold_until
    patient.save()


# ------------------------------------------------------------------ the flow


def request_erasure(actor: User, patient: Patient) -> None:
    """The patient asks for erasure (only for themself); a service admin then carries it out."""
    if actor.role != Role.PATIENT or patient.user_id != actor.id or patient.erased_at:
        raise NotFound("patient")
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(id=patient.id)
        if locked.erasure_requested_at is not None:
            return  # asking twice is one request
        locked.erasure_requested_at = clock.now()
        locked.save(update_fields=["erasure_requested_at"])
        record_event(
            actor=actor,
            action=AuditAction.ERASURE_REQUESTED,
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=PurposeOfUse.PATRQT,
            obj=("Patient", patient.id),
        )
    patient.erasure_requested_at = locked.erasure_requested_at


def withdraw_erasure_request(actor: User, patient: Patient) -> None:
    if actor.role != Role.PATIENT or patient.user_id != actor.id or patient.erased_at:
        raise NotFound("patient")
    with transaction.atomic():
        updated = Patient.objects.filter(id=patient.id, erasure_requested_at__isnull=False).update(
            erasure_requested_at=None
        )
        if updated:
            record_event(
                actor=actor,
                action=AuditAction.ERASURE_REQUEST_WITHDRAWN,
                service_id=patient.service_id,
                patient_id=patient.id,
                purpose=PurposeOfUse.PATRQT,
                obj=("Patient", patient.id),
            )
    patient.erasure_requested_at = None


def erase_patient(
    actor: User, patient_id: uuid.UUID, *, written_request: bool = False
) -> ErasureReceipt:
    """Carry out erasure of one patient of `actor`'s service, in one transaction.

    `actor` is a service admin. Without a request made on the patient's page, erasure needs
    `written_request=True` (the admin holds the patient's request in writing). Conflict while a
    safety alert about the patient is open; NotFound for a patient of another service or one
    already erased.
    """
    if actor.role != Role.SERVICE_ADMIN or not actor.is_active or actor.service_id is None:
        raise NotFound("patient")
    with transaction.atomic():
        patient = (
            Patient.objects.select_for_update()
            .filter(id=patient_id, service_id=actor.service_id, erased_at__isnull=True)
            .first()
        )
        if patient is None:
            raise NotFound("patient")
        if patient.erasure_requested_at is None and not written_request:
            raise InvalidInput("the patient has not asked for erasure; confirm a written request")
        if (still_open := open_alert_count(patient)) > 0:
            raise Conflict(
                f"{still_open} safety alert(s) about this patient are still open: close them first"
            )
        user = patient.user
        receipt = ErasureReceipt(patient_id=patient.id)
        receipt.kept = {k: n for k, n in held_counts(patient).items() if n}
        consent_receipts = sorted(
            ConsentDecision.objects.filter(patient=patient).values_list("receipt", flat=True)
        )
        for label, eraser in ERASERS.items():
            if erased := eraser(patient, user):
                receipt.erased[label] = erased
        now = clock.now()
        receipt.legal_hold_until = _hold_end(patient) if receipt.kept else None
        if user is not None:
            _scrub_user(user)
            receipt.erased["accounts.User"] = 1
        _tombstone(patient, now=now, hold_until=receipt.legal_hold_until)
        record_event(
            actor=actor,
            action=AuditAction.ERASED,
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=PurposeOfUse.HOPERAT,
            obj=("Patient", patient.id),
            detail={
                "erased": receipt.erased,
                "kept": receipt.kept,
                "legal_hold_until": receipt.legal_hold_until.isoformat()
                if receipt.legal_hold_until
                else None,
                "written_request": written_request,
                "consent_receipts": consent_receipts,
            },
        )
    return receipt
