"""Reads of the model registry: the version in use, the kill switch, the staff's list and cards.

Model versions hold no patient data, so staff of the service (any staff role) may read every
version of their service and the global ones; anyone else gets NotFound.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from careloop.accounts.types import STAFF_ROLES
from careloop.ai.cards import ModelCard, card_of
from careloop.ai.models import ModelSwitch, ModelVersion
from careloop.ai.types import ModelKind, ModelStatus
from careloop.core.errors import NotFound

if TYPE_CHECKING:
    from careloop.accounts.models import User


def active_version(service_id: uuid.UUID, kind: ModelKind | str) -> ModelVersion | None:
    """The version of `kind` switched on for the service (its own, else a global one)."""
    rows = ModelVersion.objects.filter(kind=kind, status=ModelStatus.ACTIVE)
    own = rows.filter(service_id=service_id).first()
    return own or rows.filter(service__isnull=True).order_by("-activated_at").first()


def switched_off(service_id: uuid.UUID, kind: ModelKind | str) -> bool:
    """Whether the service admin switched this kind of model off (the kill switch)."""
    return ModelSwitch.objects.filter(service_id=service_id, kind=kind, is_off=True).exists()


def switch_state(service_id: uuid.UUID, kind: ModelKind | str) -> ModelSwitch | None:
    return ModelSwitch.objects.filter(service_id=service_id, kind=kind).first()


def model_in_use(service_id: uuid.UUID, kind: ModelKind | str) -> ModelVersion | None:
    """The version that runs now: the active one, unless the kill switch is on (None: use the
    rules only)."""
    if switched_off(service_id, kind):
        return None
    return active_version(service_id, kind)


def _staff(user: User) -> bool:
    return bool(user.is_authenticated and user.service_id and user.role in STAFF_ROLES)


def model_versions_for(user: User, kind: ModelKind | str | None = None) -> QuerySet[ModelVersion]:
    """Every version a staff member of the service may see (newest first); none otherwise."""
    if not _staff(user):
        return ModelVersion.objects.none()
    rows = ModelVersion.objects.filter(Q(service_id=user.service_id) | Q(service__isnull=True))
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows.order_by("kind", "-created_at")


def model_version_for(user: User, version_id: uuid.UUID) -> ModelVersion:
    version = model_versions_for(user).filter(id=version_id).first()
    if version is None:
        raise NotFound("model version")
    return version


def version_for_system(
    service_id: uuid.UUID | None, kind: ModelKind | str, version: str
) -> ModelVersion:
    """System read for the commands: one version by its name."""
    row = ModelVersion.objects.filter(service=service_id, kind=kind, version=version).first()
    if row is None:
        raise NotFound("model version")
    return row


def facts_of(version: ModelVersion) -> dict[str, Any]:
    """The registry row as the plain mapping the card is built from."""
    return {
        "kind": version.kind,
        "kind_label": ModelKind(version.kind).label,
        "version": version.version,
        "status": version.status,
        "status_label": ModelStatus(version.status).label,
        "scope": "every service" if version.service_id is None else "this service only",
        "intended_use": version.intended_use,
        "training_data": version.training_data,
        "provenance": version.provenance,
        "limitations": list(version.limitations),
        "method": version.method,
        "parameters": version.parameters,
        "metrics": version.metrics,
        "per_group": version.per_group,
        "calibration": version.calibration,
        "gate": version.gate,
        "dry_run": version.dry_run,
        "created_at": version.created_at.isoformat(),
        "activated_at": version.activated_at.isoformat() if version.activated_at else None,
        "retired_at": version.retired_at.isoformat() if version.retired_at else None,
    }


def card_for(user: User, version_id: uuid.UUID) -> ModelCard:
    """The model card of a version (generated from the registry, never written by hand)."""
    return card_of(facts_of(model_version_for(user, version_id)))
