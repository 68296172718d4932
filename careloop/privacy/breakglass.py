"""Break-glass: emergency access to one patient by a clinician outside the care team.

The procedure (HIPAA 164.312(a)(2)(ii); reliability_security.md A5):
1. The clinician gives a reason (required); the grant lasts 60 minutes.
2. Starting it is audited with DICOM 110127 "Emergency Override Started" and purpose ETREAT, and
   the supervisors of the patient's team (and the service admins, the privacy officers) are told
   through the notifications outbox, in the same transaction.
3. Every record opened under the grant is audited with the same codes (care.selectors).
4. It ends early on request, or on expiry: lazily (an expired grant grants nothing) and by the
   worker job, which writes the stop event.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet

from careloop.accounts.selectors import break_glass_reviewers
from careloop.accounts.types import CARE_TEAM_ROLES
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.errors import InvalidInput, NotFound
from careloop.core.text import strip_invisible, valid_text, visible_length
from careloop.notifications.services import queue_notification
from careloop.notifications.types import Channel
from careloop.privacy.models import BreakGlassGrant
from careloop.privacy.policy import PurposeOfUse
from careloop.privacy.services import PatientRecord
from careloop.privacy.types import GrantEnding

if TYPE_CHECKING:
    from careloop.accounts.models import User

GRANT_LIFETIME = timedelta(minutes=60)
DICOM_EMERGENCY_OVERRIDE = "110127"  # DCM "Emergency Override Started"
DICOM_EMERGENCY_OVERRIDE_STOPPED = "110138"  # DCM "Emergency Override Stopped"
MIN_REASON_LENGTH = 10  # visible characters: enough for "patient in A&E", not for "x"
MAX_REASON_LENGTH = 2000
BATCH_SIZE = 100


# --- Reads -------------------------------------------------------------------------------------


def _live(now: Any) -> Q:
    return Q(ended_at__isnull=True, started_at__lte=now, expires_at__gt=now)


def active_grant(user: User, patient_id: uuid.UUID) -> BreakGlassGrant | None:
    """The user's unexpired grant for this patient, if any (checked on every request)."""
    if not user.is_authenticated or user.service_id is None:
        return None
    return (
        BreakGlassGrant.objects.filter(
            _live(clock.now()),
            service_id=user.service_id,
            clinician=user,
            patient_id=patient_id,
        )
        .order_by("-started_at")
        .first()
    )


def granted_patient_ids(user: User) -> QuerySet[Any, uuid.UUID]:
    """Ids of the patients `user` holds an unexpired grant for (a lazy subquery)."""
    if not user.is_authenticated or user.service_id is None:
        return BreakGlassGrant.objects.none().values_list("patient_id", flat=True)
    return BreakGlassGrant.objects.filter(
        _live(clock.now()), service_id=user.service_id, clinician=user
    ).values_list("patient_id", flat=True)


def emergency_patients(
    actor_id: uuid.UUID, service_id: uuid.UUID | None, patient_ids: frozenset[uuid.UUID]
) -> frozenset[uuid.UUID]:
    """Those of `patient_ids` that `actor_id` reaches only through a live grant (the audit
    records their treatment events as ETREAT: registered with audit in PrivacyConfig.ready)."""
    if not patient_ids or service_id is None:
        return frozenset()
    # One index look-up (service, clinician, patient, expires_at); almost always empty.
    granted = set(
        BreakGlassGrant.objects.filter(
            _live(clock.now()),
            service_id=service_id,
            clinician_id=actor_id,
            patient_id__in=patient_ids,
        ).values_list("patient_id", flat=True)
    )
    if not granted:
        return frozenset()
    # A grant is only opened from outside the team; one who has joined the team since reads as
    # the team (the relation is followed in SQL: privacy sits below care and names no Patient).
    in_team = BreakGlassGrant.objects.filter(
        service_id=service_id,
        patient_id__in=granted,
        patient__care_team__memberships__user_id=actor_id,
    ).values_list("patient_id", flat=True)
    return frozenset(granted - set(in_team))


def active_grants_of(user: User) -> QuerySet[BreakGlassGrant]:
    if not user.is_authenticated or user.service_id is None:
        return BreakGlassGrant.objects.none()
    return BreakGlassGrant.objects.filter(
        _live(clock.now()), service_id=user.service_id, clinician=user
    ).order_by("expires_at")


def grants_for_patient(
    *, service_id: uuid.UUID, patient_id: uuid.UUID
) -> QuerySet[BreakGlassGrant]:
    """Every emergency access to this patient, newest first (the patient's own page)."""
    return (
        BreakGlassGrant.objects.filter(service_id=service_id, patient_id=patient_id)
        .select_related("clinician")
        .order_by("-started_at")
    )


# --- Writes ------------------------------------------------------------------------------------


def _audit_detail(grant: BreakGlassGrant, **extra: Any) -> dict[str, Any]:
    return {
        "dicom_subtype": DICOM_EMERGENCY_OVERRIDE,
        "grant_id": str(grant.id),
        "expires_at": grant.expires_at.isoformat(),
        **extra,
    }


def _notify_reviewers(grant: BreakGlassGrant) -> int:
    at = grant.started_at
    # No names in the message (e-mail is not a safe place for them): the reviewer opens the
    # record of emergency accesses in the app to see who and why.
    body = (
        f"A clinician outside the care team used emergency access to a patient record at "
        f"{at:%H:%M} UTC on {at:%d %B %Y} (reference {str(grant.id)[-8:]}). It ends within 60 "
        f"minutes. Please review it within 24 hours."
    )
    queued = 0
    for reviewer in break_glass_reviewers(grant.service_id, grant.patient_id):
        for channel in (Channel.IN_APP, Channel.EMAIL):
            queue_notification(
                recipient=reviewer,
                channel=channel,
                subject="Emergency access to a patient record",
                body=body,
                idempotency_key=f"breakglass:{grant.id}:{reviewer.id}:{channel}",
                link_path="/me/access/emergency/review/",
            )
            queued += 1
    return queued


def start(
    *, actor: User, patient: PatientRecord, reason: str, source_ip: str | None = None
) -> BreakGlassGrant:
    """Open emergency access to `patient` for 60 minutes.

    The caller (care.selectors.break_glass_candidate) has checked that the patient is in the
    actor's service and that the actor is a clinician outside the patient's team.
    """
    if actor.role not in CARE_TEAM_ROLES or actor.service_id != patient.service_id:
        raise NotFound("patient")
    reason = strip_invisible(valid_text(reason))
    # Spaces, NBSP and zero-width characters (Unicode Z*, Cc, Cf) do not count: a reason nobody
    # can read is no reason (the reviewer must be able to judge it).
    if visible_length(reason) < MIN_REASON_LENGTH:
        raise InvalidInput(
            f"Please say why you need emergency access: at least {MIN_REASON_LENGTH} visible "
            "characters (spaces and invisible characters do not count)."
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(f"The reason can be at most {MAX_REASON_LENGTH} characters.")
    existing = active_grant(actor, patient.id)
    if existing is not None:
        return existing
    now = clock.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            service_id=patient.service_id,
            clinician=actor,
            patient_id=patient.id,
            reason=reason,
            started_at=now,
            expires_at=now + GRANT_LIFETIME,
        )
        notified = _notify_reviewers(grant)
        record_event(
            actor=actor,
            action=AuditAction.BREAK_GLASS_STARTED,
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=PurposeOfUse.ETREAT,
            obj=("BreakGlassGrant", grant.id),
            source_ip=source_ip,
            detail=_audit_detail(grant, notifications_queued=notified),
        )
    return grant


def record_read(grant: BreakGlassGrant, *, actor: User, source_ip: str | None = None) -> None:
    """Mark a record opened under emergency access (called by care.selectors on each read)."""
    record_event(
        actor=actor,
        action=AuditAction.BREAK_GLASS_READ,
        service_id=grant.service_id,
        patient_id=grant.patient_id,
        purpose=PurposeOfUse.ETREAT,
        obj=("BreakGlassGrant", grant.id),
        source_ip=source_ip,
        detail=_audit_detail(grant),
    )


def _close(grant: BreakGlassGrant, *, ending: GrantEnding, actor: User | None) -> None:
    grant.ended_at = min(clock.now(), grant.expires_at)
    grant.ending = ending
    grant.save(update_fields=["ended_at", "ending"])
    record_event(
        actor=actor,
        action=AuditAction.BREAK_GLASS_ENDED,
        service_id=grant.service_id,
        patient_id=grant.patient_id,
        purpose=PurposeOfUse.ETREAT,
        obj=("BreakGlassGrant", grant.id),
        detail=_audit_detail(
            grant, stop_subtype=DICOM_EMERGENCY_OVERRIDE_STOPPED, ending=ending.value
        ),
    )


def end(*, actor: User, grant_id: uuid.UUID) -> BreakGlassGrant:
    """The clinician stops early (only their own, still open grant)."""
    if actor.service_id is None:
        raise NotFound("emergency access")
    with transaction.atomic():
        grant = (
            BreakGlassGrant.objects.select_for_update()
            .filter(id=grant_id, clinician=actor, service_id=actor.service_id)
            .first()
        )
        if grant is None:
            raise NotFound("emergency access")
        if grant.ended_at is None:
            ending = GrantEnding.EXPIRED if grant.expires_at <= clock.now() else GrantEnding.ENDED
            _close(grant, ending=ending, actor=actor)
    return grant


def close_expired_grants() -> int:
    """Worker job: write the stop event of every grant that ran out (SKIP LOCKED claims)."""
    now = clock.now()
    with transaction.atomic():
        expired = list(
            BreakGlassGrant.objects.select_for_update(skip_locked=True)
            .filter(ended_at__isnull=True, expires_at__lte=now)
            .order_by("expires_at")[:BATCH_SIZE]
        )
        for grant in expired:
            _close(grant, ending=GrantEnding.EXPIRED, actor=None)
    return len(expired)
