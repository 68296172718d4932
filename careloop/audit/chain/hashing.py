"""The chain's records and their hashes: the canonical byte form, SHA-256 links, numbering.

Each record carries `record_hash = SHA-256(prev_hash ‖ canonical JSON of the record)`, where
prev_hash is the record_hash of the record before it in the same chain and `seq` numbers the
chain's records 1, 2, 3… The byte form (`canonical_bytes`) is frozen by FORMAT_VERSION: records
already stored must keep hashing to what they hashed to when written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

FORMAT_VERSION = 1
GENESIS_HASH = "0" * 64
SYSTEM_CHAIN = "system"


def chain_of(service_id: uuid.UUID | str | None) -> str:
    """The chain a service's records belong to (service-less system events share one)."""
    return SYSTEM_CHAIN if service_id is None else str(service_id)


def pseudonym(key: bytes, patient_id: uuid.UUID | str) -> str:
    """Keyed HMAC of a patient id: stable for look-ups, useless without the key (erasure)."""
    canonical = str(uuid.UUID(str(patient_id)))
    return hmac.new(key, canonical.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainRecord:
    """One audit record as the chain sees it. `id` is the storage key: reported, never hashed."""

    chain: str
    seq: int
    occurred_at: datetime
    service_id: str | None
    actor_id: str | None
    actor_role: str
    action: str
    purpose: str
    patient_ref: str
    object_type: str
    object_id: str
    source_ip: str | None
    detail: Mapping[str, Any]
    prev_hash: str = GENESIS_HASH
    record_hash: str = ""
    id: int | None = None


def normalise_json(value: Any) -> Any:
    """The JSON value as any store gives it back: integral floats become ints (PostgreSQL's
    jsonb prints 1e20 as an integer), tuples lists; NaN and infinities are refused."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("audit detail cannot hold NaN or infinity")
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("audit detail keys must be strings")
        return {key: normalise_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [normalise_json(item) for item in value]
    raise TypeError(f"audit detail cannot hold a {type(value).__name__}")


def utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(body: Mapping[str, Any]) -> bytes:
    return _ENCODER.encode(body).encode("utf-8")


def canonical_bytes(record: ChainRecord) -> bytes:
    """Every field but the hash and the storage id, in one fixed byte form."""
    return canonical_json(
        {
            "v": FORMAT_VERSION,
            "chain": record.chain,
            "seq": record.seq,
            "occurred_at": utc_text(record.occurred_at),
            "service_id": record.service_id,
            "actor_id": record.actor_id,
            "actor_role": record.actor_role,
            "action": record.action,
            "purpose": record.purpose,
            "patient_ref": record.patient_ref,
            "object_type": record.object_type,
            "object_id": record.object_id,
            "source_ip": record.source_ip,
            "detail": normalise_json(record.detail),
            "prev_hash": record.prev_hash,
        }
    )


def compute_hash(record: ChainRecord) -> str:
    digest = hashlib.sha256(record.prev_hash.encode("utf-8") + b"|" + canonical_bytes(record))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ChainHead:
    """Where a chain ends: the next record gets seq + 1 and links to last_hash."""

    chain: str
    seq: int = 0
    last_hash: str = GENESIS_HASH


def link(head: ChainHead, records: Iterable[ChainRecord]) -> tuple[list[ChainRecord], ChainHead]:
    """Number, link and hash new records after `head` (their seq and hashes are overwritten)."""
    linked: list[ChainRecord] = []
    seq, last_hash = head.seq, head.last_hash
    for record in records:
        seq += 1
        if record.chain != head.chain:
            raise ValueError(f"record for chain {record.chain} linked onto chain {head.chain}")
        sealed = replace(record, seq=seq, prev_hash=last_hash, record_hash="")
        sealed = replace(sealed, record_hash=compute_hash(sealed))
        linked.append(sealed)
        last_hash = sealed.record_hash
    return linked, ChainHead(head.chain, seq, last_hash)
