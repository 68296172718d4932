"""Between audit rows and the chain's records: one mapping used to write, verify and migrate.

Values are normalised the same way on the way in and on the way back, so what the database
returns (an IPv6 address in its canonical spelling, jsonb's numbers) hashes as it did at writing.
"""

from __future__ import annotations

import functools
import ipaddress
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from careloop.audit.chain import ChainRecord, chain_of, normalise_json

# The columns a verifier reads, in this order (values_list keeps memory flat on long chains).
COLUMNS = (
    "id",
    "seq",
    "occurred_at",
    "service_id",
    "actor_id",
    "actor_role",
    "action",
    "purpose",
    "patient_ref",
    "object_type",
    "object_id",
    "source_ip",
    "detail",
    "prev_hash",
    "record_hash",
)


def normalise_ip(value: object) -> str | None:
    if value is None or value == "":
        return None
    return _ip_text(str(value))


@functools.lru_cache(maxsize=4096)
def _ip_text(value: str) -> str:
    return str(ipaddress.ip_address(value))


def _uuid_text(value: object) -> str | None:
    if value is None:
        return None
    return _uuid_str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


@functools.lru_cache(maxsize=4096)  # a chain repeats its service and actors on every row
def _uuid_str(value: uuid.UUID) -> str:
    return str(value)


def new_record(
    *,
    occurred_at: datetime,
    service_id: uuid.UUID | None,
    actor_id: uuid.UUID | None,
    actor_role: str,
    action: str,
    purpose: str,
    patient_ref: str,
    object_type: str,
    object_id: str,
    source_ip: str | None,
    detail: Mapping[str, Any],
) -> ChainRecord:
    """A record not yet linked (chain.link numbers and hashes it)."""
    return ChainRecord(
        chain=chain_of(service_id),
        seq=0,
        occurred_at=occurred_at,
        service_id=_uuid_text(service_id),
        actor_id=_uuid_text(actor_id),
        actor_role=str(actor_role),
        action=str(action),
        purpose=str(purpose),
        patient_ref=patient_ref,
        object_type=str(object_type),
        object_id=str(object_id),
        source_ip=normalise_ip(source_ip),
        detail=normalise_json(dict(detail)),
    )


def from_row(row: tuple[Any, ...]) -> ChainRecord:
    """A record from a values_list(*COLUMNS) row, as stored (so a tampered row verifies bad)."""
    values = dict(zip(COLUMNS, row, strict=True))
    try:
        source_ip = normalise_ip(values["source_ip"])
    except ValueError:
        source_ip = str(values["source_ip"])  # unparseable: keep it, so its hash fails
    detail = values["detail"]
    return ChainRecord(
        id=values["id"],
        chain=chain_of(values["service_id"]),
        seq=values["seq"],
        occurred_at=values["occurred_at"],
        service_id=_uuid_text(values["service_id"]),
        actor_id=_uuid_text(values["actor_id"]),
        actor_role=values["actor_role"],
        action=values["action"],
        purpose=values["purpose"],
        patient_ref=values["patient_ref"],
        object_type=values["object_type"],
        object_id=values["object_id"],
        source_ip=source_ip,
        detail=detail if isinstance(detail, Mapping) else {"__not_an_object__": detail},
        prev_hash=values["prev_hash"],
        record_hash=values["record_hash"],
    )


def row_fields(record: ChainRecord) -> dict[str, Any]:
    """Model field values for a linked record."""
    return {
        "occurred_at": record.occurred_at,
        "service_id": None if record.service_id is None else uuid.UUID(record.service_id),
        "seq": record.seq,
        "actor_id": None if record.actor_id is None else uuid.UUID(record.actor_id),
        "actor_role": record.actor_role,
        "action": record.action,
        "purpose": record.purpose,
        "patient_ref": record.patient_ref,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "source_ip": record.source_ip,
        "detail": dict(record.detail),
        "prev_hash": record.prev_hash,
        "record_hash": record.record_hash,
    }
