"""Writes: save a safety plan version, confirm or withdraw a crisis line. Each one transaction,
each audited (careloop.audit.services.record_event) with ids and numbers only, never plan text."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from careloop.accounts.types import Role
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import require_write
from careloop.core import clock
from careloop.core.errors import NotFound
from careloop.safety.planning import plan_content
from careloop.safety.planning.directory import CrisisLine
from careloop.safety.planning.errors import (
    CrisisLineChanged,
    CrisisLineNotConfirmed,
    CrisisLineNotReviewable,
    InvalidSafetyPlan,
    StaleSafetyPlan,
)
from careloop.safety.planning.models import CrisisResourceReview, SafetyPlan, SafetyPlanVersion
from careloop.safety.planning.selectors import crisis_directory, reviewer_service

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient
    from careloop.core.models import Service


def _audit(
    *,
    actor: User,
    action: AuditAction,
    service_id: uuid.UUID,
    patient_id: uuid.UUID | None = None,
    purpose: PurposeOfUse | str = "",
    obj: tuple[str, object] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    record_event(
        actor=actor,
        action=action,
        service_id=service_id,
        patient_id=patient_id,
        purpose=purpose,
        obj=obj,
        detail=detail,
    )


def _purpose(actor: User, patient: Patient) -> PurposeOfUse:
    return PurposeOfUse.PATRQT if patient.user_id == actor.id else PurposeOfUse.TREAT


def save_safety_plan(
    patient: Patient, *, actor: User, base_version: int, sections: object
) -> SafetyPlanVersion:
    """Store the plan as a new version, if `base_version` (the version the author edited; 0 for
    a first plan) is still the newest. Otherwise nothing is saved and StaleSafetyPlan says why.

    1. Check the content (InvalidSafetyPlan names what to fix).
    2. Check the author may change the record (the patient themself or their care team; never
       emergency access, which reads only).
    3. In one transaction: lock the plan row, compare versions, insert the version, audit.
    """
    try:
        content = plan_content.normalise_content(sections)
    except plan_content.InvalidPlan as problem:
        raise InvalidSafetyPlan(str(problem)) from problem
    require_write(actor, patient)
    try:
        with transaction.atomic():
            return _store_version(patient, actor=actor, base_version=base_version, content=content)
    except IntegrityError as race:
        # Another save of the same base version committed between our check and our insert.
        raise _stale(patient, base_version) from race


def _store_version(
    patient: Patient, *, actor: User, base_version: int, content: dict[str, Any]
) -> SafetyPlanVersion:
    now = clock.now()
    plan, _ = SafetyPlan.objects.get_or_create(
        patient=patient,
        defaults={"service_id": patient.service_id, "created_at": now, "updated_at": now},
    )
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.current_version != base_version:
        raise _stale(patient, base_version)
    version = SafetyPlanVersion.objects.create(
        service_id=patient.service_id,
        plan=plan,
        number=base_version + 1,
        content=content,
        author=actor,
        author_role=actor.role,
        created_at=now,
    )
    plan.current_version = version.number
    plan.updated_at = now
    plan.save(update_fields=["current_version", "updated_at"])
    _audit(
        actor=actor,
        action=AuditAction.SAFETY_PLAN_SAVED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=_purpose(actor, patient),
        obj=("SafetyPlanVersion", version.id),
        detail={"version": version.number, "base_version": base_version},
    )
    return version


def _stale(patient: Patient, base_version: int) -> StaleSafetyPlan:
    newest = (
        SafetyPlanVersion.objects.filter(plan__patient=patient, service=patient.service_id)
        .order_by("-number")
        .first()
    )
    if newest is None or base_version > newest.number:
        return StaleSafetyPlan(
            f"You edited version {base_version} of this safety plan, but the newest version is "
            f"{newest.number if newest else 0}. Nothing was saved. Reload the plan and try again."
        )
    by = "the patient" if newest.author_role == Role.PATIENT else "a member of the care team"
    return StaleSafetyPlan(
        f"This safety plan changed while you were editing it: you started from version "
        f"{base_version}, and version {newest.number} was saved by {by} on "
        f"{newest.created_at:%d %b %Y at %H:%M} UTC. Your changes were not saved. Reload the "
        f"plan, add your changes to the newest version and save again."
    )


def record_safety_plan_viewed(
    patient: Patient, *, actor: User, version: SafetyPlanVersion | None, what: str
) -> None:
    """Audit a read of the plan (`what` names the screen or endpoint, e.g. "crisis_page")."""
    _audit(
        actor=actor,
        action=AuditAction.SAFETY_PLAN_VIEWED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=_purpose(actor, patient),
        obj=("SafetyPlanVersion", version.id) if version else ("Patient", patient.id),
        detail={"via": what, "version": version.number if version else 0},
    )


def _line_of_service(service: Service, entry_id: str) -> CrisisLine:
    line = crisis_directory().line(entry_id)
    if line is None or line.country != service.country_code:
        raise NotFound("crisis resource")  # another country's line is not this service's to touch
    return line


@transaction.atomic
def confirm_crisis_line(
    *, actor: User, entry_id: str, seen_entry_sha256: str
) -> tuple[CrisisResourceReview, bool]:
    """The service's safety lead confirms a verified line as they saw it; (row, newly created).

    Confirming again what is already confirmed changes nothing. A line UNVERIFIED in the
    directory cannot be confirmed; a line whose text changed since the reviewer saw it neither.
    """
    service = reviewer_service(actor)
    line = _line_of_service(service, entry_id)
    if not line.verified:
        raise CrisisLineNotReviewable(
            f"{line.name} is UNVERIFIED in the crisis resources directory, so it is never shown "
            "to patients. Verify it against an authoritative source and update the data file first."
        )
    if seen_entry_sha256 != line.content_sha256:
        raise CrisisLineChanged(
            f"The directory entry for {line.name} has changed since you opened it. Reload the "
            "page and review the entry again."
        )
    existing = _active_confirmation(service.id, line.id, line.content_sha256)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            review = _store_confirmation(service, line, actor=actor)
    except IntegrityError:  # a colleague confirmed it at the same moment
        concurrent = _active_confirmation(service.id, line.id, line.content_sha256)
        if concurrent is None:
            raise
        return concurrent, False
    _audit_review(actor, AuditAction.CRISIS_LINE_CONFIRMED, review)
    return review, True


def _store_confirmation(service: Service, line: CrisisLine, *, actor: User) -> CrisisResourceReview:
    directory = crisis_directory()
    return CrisisResourceReview.objects.create(
        service=service,
        country_code=line.country,
        entry_id=line.id,
        entry_sha256=line.content_sha256,
        data_version=directory.version,
        data_sha256=directory.sha256,
        confirmed_by=actor,
        confirmed_at=clock.now(),
    )


def _active_confirmation(
    service_id: uuid.UUID, entry_id: str, entry_sha256: str
) -> CrisisResourceReview | None:
    return CrisisResourceReview.objects.filter(
        service=service_id, entry_id=entry_id, entry_sha256=entry_sha256, withdrawn_at__isnull=True
    ).first()


@transaction.atomic
def withdraw_crisis_line(*, actor: User, entry_id: str) -> int:
    """Stop showing a line to the service's patients; returns how many confirmations ended."""
    service = reviewer_service(actor)
    line = _line_of_service(service, entry_id)
    active = list(
        CrisisResourceReview.objects.select_for_update().filter(
            service=service, entry_id=entry_id, withdrawn_at__isnull=True
        )
    )
    if not active:
        raise CrisisLineNotConfirmed(f"{line.name} is not confirmed for this service.")
    now = clock.now()
    for review in active:
        review.withdrawn_by = actor
        review.withdrawn_at = now
        review.save(update_fields=["withdrawn_by", "withdrawn_at"])
        _audit_review(actor, AuditAction.CRISIS_LINE_WITHDRAWN, review)
    return len(active)


def _audit_review(actor: User, action: AuditAction, review: CrisisResourceReview) -> None:
    _audit(
        actor=actor,
        action=action,
        service_id=review.service_id,
        purpose=PurposeOfUse.HOPERAT,
        obj=("CrisisResourceReview", review.id),
        detail={
            "entry_id": review.entry_id,
            "entry_sha256": review.entry_sha256,
            "data_version": review.data_version,
            "data_sha256": review.data_sha256,
        },
    )
