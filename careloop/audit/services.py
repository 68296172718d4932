"""The only write path for audit events. Callers run it inside their own transaction, so the
event commits or rolls back together with what it describes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Protocol

from careloop.audit.models import AuditEvent, Purpose
from careloop.core import clock


class Actor(Protocol):
    """Who did it: any signed-in user (audit sits below accounts, so it names no User class)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def role(self) -> str: ...


def _role(actor: Actor | None) -> str:
    return actor.role if actor is not None else "system"


def record_event(
    *,
    actor: Actor | None,
    action: str,
    service_id: uuid.UUID | None,
    patient_id: uuid.UUID | None = None,
    purpose: Purpose | str = "",
    obj: tuple[str, object] | None = None,
    source_ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `action` is a dotted code from the acting domain's action enum.

    `detail` must never hold names, free text or answers: only ids and codes.
    """
    object_type, object_id = obj if obj is not None else ("", "")
    return AuditEvent.objects.create(
        occurred_at=clock.now(),
        service_id=service_id,
        actor_id=actor.id if actor is not None else None,
        actor_role=_role(actor),
        action=action,
        purpose=purpose,
        patient_id=patient_id,
        object_type=object_type,
        object_id=str(object_id),
        source_ip=source_ip,
        detail=detail or {},
    )


def record_patient_reads(
    *,
    actor: Actor,
    action: str,
    service_id: uuid.UUID,
    patient_ids: Iterable[uuid.UUID],
    purpose: Purpose,
    source_ip: str | None = None,
) -> int:
    """Append one event per patient whose data a list view showed (one insert, many rows)."""
    at = clock.now()
    events = [
        AuditEvent(
            occurred_at=at,
            service_id=service_id,
            actor_id=actor.id if actor is not None else None,
            actor_role=_role(actor),
            action=action,
            purpose=purpose,
            patient_id=patient_id,
            object_type="Patient",
            object_id=str(patient_id),
            source_ip=source_ip,
        )
        for patient_id in patient_ids
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)
