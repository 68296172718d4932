"""The only write path for audit events. Callers run it inside their own transaction, so the
event commits or rolls back together with what it describes.

Each event is linked onto its service's hash chain (careloop.audit.chain). Appending locks the
chain's head row (SELECT … FOR UPDATE) until the caller's transaction ends: two writers of one
service queue there, so seq numbers never fork; other services' writers are not touched.
Inside `linked_at_end()` the events wait and are linked together when the block ends, so the
lock is taken for the last statements before commit only.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, Protocol

from django.db import transaction

from careloop.audit import chain, records
from careloop.audit.keys import patient_ref
from careloop.audit.models import AuditChainHead, AuditEvent
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.core import clock

PATIENT_OBJECT = "Patient"

# Who is acting under emergency access is known above audit (privacy): it registers a function
# that names, among some patients, those `actor` reaches only through a live break-glass grant.
# Every treatment event about them is then recorded as ETREAT, so the access log tells
# emergency access from treatment whichever domain wrote the event (issue #18 item 8).
EmergencyJudge = Callable[[uuid.UUID, uuid.UUID | None, frozenset[uuid.UUID]], frozenset[uuid.UUID]]
_emergency_judges: list[EmergencyJudge] = []
_STAFF_ROLES = frozenset({"clinician", "supervisor"})


def register_emergency_judge(judge: EmergencyJudge) -> None:
    if judge not in _emergency_judges:
        _emergency_judges.append(judge)


def _under_emergency(
    actor: Actor | None,
    service_id: uuid.UUID | None,
    purpose: PurposeOfUse | str,
    patient_ids: frozenset[uuid.UUID],
) -> frozenset[uuid.UUID]:
    if actor is None or str(purpose) != PurposeOfUse.TREAT or actor.role not in _STAFF_ROLES:
        return frozenset()
    found: frozenset[uuid.UUID] = frozenset()
    for judge in _emergency_judges:
        found |= judge(actor.id, service_id, patient_ids)
    return found


class Actor(Protocol):
    """Who did it: any signed-in user (audit sits below accounts, so it names no User class)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def role(self) -> str: ...


def _role(actor: Actor | None) -> str:
    return actor.role if actor is not None else "system"


def _lock_head(service_id: uuid.UUID | None) -> chain.ChainHead:
    """Lock the chain's head row for the rest of the transaction (creating it on first use)."""
    key = chain.chain_of(service_id)
    locked = AuditChainHead.objects.select_for_update()
    head = locked.filter(chain=key).first()
    if head is None:
        # ON CONFLICT DO NOTHING: a racing first writer wins and we then queue on its row.
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(chain=key, service_id=service_id, last_hash=chain.GENESIS_HASH)],
            ignore_conflicts=True,
        )
        head = locked.get(chain=key)
    return chain.ChainHead(key, head.seq, head.last_hash)


def _append(
    service_id: uuid.UUID | None,
    new: Sequence[chain.ChainRecord],
    events: Sequence[AuditEvent] | None = None,
) -> list[AuditEvent]:
    """Link `new` onto the chain and insert it; `events` are their unsaved rows, if made already."""
    with transaction.atomic(savepoint=False):
        head = _lock_head(service_id)
        linked, new_head = chain.link(head, new)
        if events is None:
            events = [AuditEvent(**records.row_fields(record)) for record in linked]
        else:  # linking sets only these three fields (chain.link)
            for event, record in zip(events, linked, strict=True):
                event.seq, event.prev_hash = record.seq, record.prev_hash
                event.record_hash = record.record_hash
        events = AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(chain=head.chain).update(
            seq=new_head.seq, last_hash=new_head.last_hash
        )
    return events


# Events recorded inside linked_at_end(), waiting to be linked when the outermost block ends.
_Pending = tuple[uuid.UUID | None, chain.ChainRecord, AuditEvent]
_pending: ContextVar[list[_Pending] | None] = ContextVar("careloop_audit_pending", default=None)


@contextlib.contextmanager
def linked_at_end() -> Iterator[None]:
    """Inside the caller's transaction: the events recorded in this block are linked onto their
    chains when it ends (in the order recorded), not one by one as they are recorded.

    Why: linking takes the chain head's row lock until commit, and every audited request of the
    service queues on it. Linked at the end, the lock is held for the last few statements before
    commit instead of across all the reads and rules that follow the first event (a submission
    that raises an alert audited it in the safety hook, then ran the remaining rules with the lock
    held). It also gives one lock order, the block's own rows first and the chain head last, so a
    writer holding the head never waits for another row (alert dispatch used to: audit, then the
    fallback's inbox streams, and deadlocked with a writer holding those streams).
    Same events, same content and times, same transaction; an exception discards them with the
    transaction. Do not wrap code that records an event inside a savepoint that rolls back while
    the block goes on: that event would still be appended.
    """
    if _pending.get() is not None:  # nested: the outermost block links everything
        yield
        return
    token = _pending.set([])
    try:
        yield
        pending = _pending.get() or []
    finally:
        _pending.reset(token)
    by_chain: dict[str, list[_Pending]] = {}
    for entry in pending:
        by_chain.setdefault(entry[1].chain, []).append(entry)
    for key in sorted(by_chain):  # heads locked in one order: two blocks never deadlock
        entries = by_chain[key]
        _append(entries[0][0], [e[1] for e in entries], [e[2] for e in entries])


def _record(service_id: uuid.UUID | None, new: list[chain.ChainRecord]) -> list[AuditEvent]:
    """Append now, or (inside linked_at_end) at the end of the block: the rows either way."""
    pending = _pending.get()
    if pending is None:
        return _append(service_id, new)
    events = [AuditEvent(**records.row_fields(record)) for record in new]
    pending.extend((service_id, record, event) for record, event in zip(new, events, strict=True))
    return events


def record_event(
    *,
    actor: Actor | None,
    action: AuditAction,
    service_id: uuid.UUID | None,
    patient_id: uuid.UUID | None = None,
    purpose: PurposeOfUse | str = "",
    obj: tuple[str, object] | None = None,
    source_ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `action` is one of AuditAction: the one list of what is audited.

    The patient is stored only as a keyed HMAC (`patient_ref`), and so is a Patient object's id.
    `detail` must never hold names, free text or answers: only ids and codes.
    """
    object_type, object_id = obj if obj is not None else ("", "")
    if object_type == PATIENT_OBJECT and object_id:
        object_id = patient_ref(str(object_id))
    if patient_id is not None and _under_emergency(
        actor, service_id, purpose, frozenset({patient_id})
    ):
        purpose = PurposeOfUse.ETREAT
    record = records.new_record(
        occurred_at=clock.now(),
        service_id=service_id,
        actor_id=actor.id if actor is not None else None,
        actor_role=_role(actor),
        action=action,
        purpose=purpose,
        patient_ref=patient_ref(patient_id) if patient_id is not None else "",
        object_type=object_type,
        object_id=str(object_id),
        source_ip=source_ip,
        detail=detail or {},
    )
    return _record(service_id, [record])[0]


def record_patient_reads(
    *,
    actor: Actor,
    action: AuditAction,
    service_id: uuid.UUID,
    patient_ids: Iterable[uuid.UUID],
    purpose: PurposeOfUse,
    source_ip: str | None = None,
) -> int:
    """Append one event per patient whose data a list view showed (one insert, many rows)."""
    at = clock.now()
    new = []
    patient_ids = list(patient_ids)
    emergency = _under_emergency(actor, service_id, purpose, frozenset(patient_ids))
    for patient_id in patient_ids:
        ref = patient_ref(patient_id)
        new.append(
            records.new_record(
                occurred_at=at,
                service_id=service_id,
                actor_id=actor.id if actor is not None else None,
                actor_role=_role(actor),
                action=action,
                purpose=PurposeOfUse.ETREAT if patient_id in emergency else purpose,
                patient_ref=ref,
                object_type=PATIENT_OBJECT,
                object_id=ref,
                source_ip=source_ip,
                detail={},
            )
        )
    if new:
        _record(service_id, new)
    return len(new)
