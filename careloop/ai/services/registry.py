"""The model registry's writes: register a version, activate it, switch a kind of model off."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

from careloop.accounts.types import Role
from careloop.ai.models import ModelSwitch, ModelVersion
from careloop.ai.types import ModelKind, ModelStatus
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

if TYPE_CHECKING:
    from careloop.accounts.models import User

SWITCH_REASON_MAX = 300


class GateBlocked(Conflict):
    """The fairness gate blocks this version: it cannot be switched on."""


def _obj(version: ModelVersion) -> tuple[str, object]:
    return ("ai.ModelVersion", version.id)


def register_version(
    *,
    actor: User | None,
    service_id: uuid.UUID | None,
    kind: ModelKind | str,
    version: str,
    intended_use: str,
    training_data: str,
    provenance: str,
    limitations: Sequence[str],
    method: str = "",
    parameters: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Any] | None = None,
    per_group: Mapping[str, Any] | None = None,
    calibration: Sequence[Mapping[str, Any]] = (),
    held_out: Sequence[Any] = (),
    gate: Mapping[str, Any] | None = None,
) -> ModelVersion:
    """Store a new draft version (its card's facts and its parameters). `actor` is None for a
    command run by the operator (`careloop ai train`, `register-builtin`). Audited."""
    kind = ModelKind(kind)
    if not version.strip():
        raise InvalidInput("version: give the version a name")
    with transaction.atomic():
        exists = ModelVersion.objects.filter(service=service_id, kind=kind, version=version)
        if exists.exists():
            raise Conflict(f"{kind.label} version {version} already exists")
        row = ModelVersion.objects.create(
            service_id=service_id,
            kind=kind,
            version=version,
            intended_use=intended_use,
            training_data=training_data,
            provenance=provenance,
            limitations=list(limitations),
            method=method,
            parameters=dict(parameters or {}),
            metrics=dict(metrics or {}),
            per_group=dict(per_group or {}),
            calibration=list(calibration),
            held_out=list(held_out),
            gate=dict(gate or {}),
            created_by=actor,
        )
        record_event(
            actor=actor,
            action=AuditAction.AI_MODEL_REGISTERED,
            service_id=service_id,
            obj=_obj(row),
            detail={"kind": kind.value, "version": version},
        )
    return row


def gate_blocks(version: ModelVersion) -> list[str]:
    """The gate's explanation for every dimension it blocks (empty: it passes)."""
    return [
        f"{dimension}: {decision.get('explanation', 'blocked')}"
        for dimension, decision in sorted(version.gate.items())
        if decision.get("blocked")
    ]


def _check_activator(actor: User, version: ModelVersion) -> None:
    if version.service_id is None or actor.service_id != version.service_id:
        raise NotFound("model version")
    if version.kind == ModelKind.STEPPED_CARE_RULES:
        if actor.role != Role.SUPERVISOR:
            raise PermissionDenied("A supervisor signs off a new version of the rules.")
        if not version.dry_run:
            raise InvalidInput("Dry-run this rule version on past episodes before signing it off.")
    elif actor.role not in (Role.SUPERVISOR, Role.SERVICE_ADMIN):
        raise PermissionDenied("A supervisor or the service admin switches a model version on.")


def activate_version(actor: User, version: ModelVersion) -> ModelVersion:
    """Switch a draft version on for its service, retiring the one in use.

    1. Only the service's supervisor or admin (a rule version: a supervisor's sign-off, after a
       dry-run on past episodes).
    2. A model version must pass the fairness gate stored with it; a blocked one is refused and
       the refusal is audited (its own transaction), then GateBlocked is raised.
    3. Otherwise, in one transaction: the active version of the kind is retired, this one is
       active, and the activation is audited.
    """
    _check_activator(actor, version)
    if version.status != ModelStatus.DRAFT:
        raise InvalidInput(f"This version is {ModelStatus(version.status).label.lower()}.")
    blocks = gate_blocks(version)
    if version.kind != ModelKind.STEPPED_CARE_RULES and (blocks or not version.gate):
        with transaction.atomic():
            record_event(
                actor=actor,
                action=AuditAction.AI_MODEL_ACTIVATION_REFUSED,
                service_id=version.service_id,
                obj=_obj(version),
                detail={"kind": version.kind, "version": version.version, "gate": "blocked"},
            )
        raise GateBlocked(
            "The fairness gate blocks this version: " + "; ".join(blocks)
            if blocks
            else "This version has no fairness audit: run `careloop ai audit` first."
        )
    with transaction.atomic():
        locked = ModelVersion.objects.select_for_update().get(id=version.id)
        if locked.status != ModelStatus.DRAFT:
            raise Conflict("This version was changed meanwhile.")
        now = clock.now()
        retired = list(
            ModelVersion.objects.select_for_update().filter(
                service=locked.service_id, kind=locked.kind, status=ModelStatus.ACTIVE
            )
        )
        for old in retired:
            old.status, old.retired_at = ModelStatus.RETIRED, now
            old.save(update_fields=["status", "retired_at"])
        locked.status, locked.activated_at, locked.activated_by = ModelStatus.ACTIVE, now, actor
        locked.save(update_fields=["status", "activated_at", "activated_by"])
        record_event(
            actor=actor,
            action=AuditAction.AI_MODEL_ACTIVATED,
            service_id=locked.service_id,
            obj=_obj(locked),
            detail={
                "kind": locked.kind,
                "version": locked.version,
                "retired": [old.version for old in retired],
                "signed_off": locked.kind == ModelKind.STEPPED_CARE_RULES,
            },
        )
    return locked


def activate_builtin(version: ModelVersion) -> ModelVersion:
    """The operator's activation of a global built-in version (no service, no gate run here:
    its evaluation is documented with it). Used by `careloop ai register-builtin`."""
    if version.service_id is not None:
        raise InvalidInput("only a global version is activated this way")
    with transaction.atomic():
        now = clock.now()
        ModelVersion.objects.filter(
            service__isnull=True, kind=version.kind, status=ModelStatus.ACTIVE
        ).exclude(id=version.id).update(status=ModelStatus.RETIRED, retired_at=now)
        ModelVersion.objects.filter(id=version.id).update(
            status=ModelStatus.ACTIVE, activated_at=now
        )
        record_event(
            actor=None,
            action=AuditAction.AI_MODEL_ACTIVATED,
            service_id=None,
            obj=_obj(version),
            detail={"kind": version.kind, "version": version.version, "builtin": True},
        )
    version.refresh_from_db()
    return version


def set_model_switch(
    actor: User, kind: ModelKind | str, *, off: bool, reason: str = ""
) -> ModelSwitch:
    """The kill switch: the service admin switches a kind of model off (at once: the next
    suggestion uses the rules only; predictions stop) or back on. Audited."""
    kind = ModelKind(kind)
    if actor.role != Role.SERVICE_ADMIN or actor.service_id is None:
        raise PermissionDenied("The service admin switches a model off or on.")
    if kind != ModelKind.EARLY_WARNING:
        raise InvalidInput(
            "Only the early-warning model has this switch: the stepped-care rules are the "
            "fallback, and the crisis-text detector is part of the safety system (its off "
            "switch is the operator's CARELOOP_CRISIS_TEXT_MODEL=off)."
        )
    reason = reason.strip()
    if off and not reason:
        raise InvalidInput("reason: say why the model is switched off")
    if len(reason) > SWITCH_REASON_MAX:
        raise InvalidInput(f"reason: at most {SWITCH_REASON_MAX} characters")
    with transaction.atomic():
        switch, _ = ModelSwitch.objects.select_for_update().update_or_create(
            service_id=actor.service_id,
            kind=kind,
            defaults={
                "is_off": off,
                "reason": reason,
                "changed_by": actor,
                "changed_at": clock.now(),
            },
        )
        record_event(
            actor=actor,
            action=AuditAction.AI_MODEL_SWITCHED_OFF if off else AuditAction.AI_MODEL_SWITCHED_ON,
            service_id=actor.service_id,
            obj=("ai.ModelSwitch", switch.id),
            detail={"kind": kind.value},
        )
    return switch


def store_evaluation(
    version: ModelVersion,
    *,
    per_group: Mapping[str, Any],
    gate: Mapping[str, Any],
    actor: User | None = None,
) -> ModelVersion:
    """Store a fairness audit's result with a draft version (the gate activation reads).
    Audited as ai.fairness_audited."""
    if version.status != ModelStatus.DRAFT:
        raise InvalidInput("Only a draft version's audit can be replaced.")
    with transaction.atomic():
        ModelVersion.objects.filter(id=version.id).update(
            per_group=dict(per_group), gate=dict(gate)
        )
        record_event(
            actor=actor,
            action=AuditAction.AI_FAIRNESS_AUDITED,
            service_id=version.service_id,
            obj=_obj(version),
            detail={"blocked": any(d.get("blocked") for d in gate.values())},
        )
    version.refresh_from_db()
    return version


def store_dry_run(version: ModelVersion, result: Mapping[str, Any], actor: User | None) -> None:
    """Keep a rule version's dry-run on past episodes with it (the sign-off needs one)."""
    with transaction.atomic():
        ModelVersion.objects.filter(id=version.id).update(dry_run=dict(result))
        record_event(
            actor=actor,
            action=AuditAction.AI_RULES_DRY_RUN,
            service_id=version.service_id,
            obj=_obj(version),
            detail={
                "stepped_up": result.get("stepped_up"),
                "earlier": result.get("earlier_than_current"),
                "compared_with": result.get("compared_with", ""),
            },
        )
    version.refresh_from_db()
