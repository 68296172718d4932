"""The audit hash chain and its signed checkpoints, framework-free so it can be proven right.

Each record carries `record_hash = SHA-256(prev_hash ‖ canonical JSON of the record)`, where
prev_hash is the record_hash of the record before it in the same chain (one chain per service,
one for service-less system events) and `seq` numbers the chain's records 1, 2, 3… Editing,
deleting, inserting or reordering a record breaks a link or a hash; an attacker who rewrites every
hash after their edit is caught by the next checkpoint: `(chain, seq, last_hash, count)` signed
with an Ed25519 key kept outside the database. Truncating the tail is caught back to the last
checkpoint; records written after it are only as safe as the database until the next one.

`careloop audit verify`, the checkpoint job and the tamper tests all run `ChainVerifier`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

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


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _canonical(body: Mapping[str, Any]) -> bytes:
    return _ENCODER.encode(body).encode("utf-8")


def canonical_bytes(record: ChainRecord) -> bytes:
    """Every field but the hash and the storage id, in one fixed byte form."""
    return _canonical(
        {
            "v": FORMAT_VERSION,
            "chain": record.chain,
            "seq": record.seq,
            "occurred_at": _utc(record.occurred_at),
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


# --- checkpoints -------------------------------------------------------------------------------


def key_fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement: the chain held `count` records, the last (seq) hashing to last_hash."""

    chain: str
    seq: int
    last_hash: str
    count: int
    signed_at: datetime
    key_fingerprint: str
    signature: str
    id: int | None = None

    def label(self) -> str:
        return f"checkpoint #{self.id}" if self.id is not None else f"checkpoint at seq {self.seq}"


def checkpoint_message(
    *, chain: str, seq: int, last_hash: str, count: int, signed_at: datetime, fingerprint: str
) -> bytes:
    return _canonical(
        {
            "v": FORMAT_VERSION,
            "chain": chain,
            "seq": seq,
            "last_hash": last_hash,
            "count": count,
            "signed_at": _utc(signed_at),
            "key": fingerprint,
        }
    )


def sign_checkpoint(key: Ed25519PrivateKey, head: ChainHead, *, signed_at: datetime) -> Checkpoint:
    fingerprint = key_fingerprint(key.public_key())
    message = checkpoint_message(
        chain=head.chain,
        seq=head.seq,
        last_hash=head.last_hash,
        count=head.seq,
        signed_at=signed_at,
        fingerprint=fingerprint,
    )
    return Checkpoint(
        chain=head.chain,
        seq=head.seq,
        last_hash=head.last_hash,
        count=head.seq,
        signed_at=signed_at,
        key_fingerprint=fingerprint,
        signature=key.sign(message).hex(),
    )


def checkpoint_problem(
    checkpoint: Checkpoint, public_keys: Mapping[str, Ed25519PublicKey]
) -> str | None:
    """Why this checkpoint cannot be trusted, or None when its signature holds."""
    public_key = public_keys.get(checkpoint.key_fingerprint)
    if public_key is None:
        return f"is signed by an unknown key {checkpoint.key_fingerprint[:16]}…"
    if checkpoint.count != checkpoint.seq:
        return f"claims {checkpoint.count} records up to seq {checkpoint.seq}"
    message = checkpoint_message(
        chain=checkpoint.chain,
        seq=checkpoint.seq,
        last_hash=checkpoint.last_hash,
        count=checkpoint.count,
        signed_at=checkpoint.signed_at,
        fingerprint=checkpoint.key_fingerprint,
    )
    try:
        public_key.verify(bytes.fromhex(checkpoint.signature), message)
    except (InvalidSignature, ValueError):
        return "has an invalid signature (forged or edited)"
    return None


# --- verification ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """The first thing wrong with a chain: which record (or checkpoint) and why."""

    chain: str
    reason: str
    record_id: int | None = None
    seq: int | None = None

    def __str__(self) -> str:
        where = []
        if self.record_id is not None:
            where.append(f"record id={self.record_id}")
        if self.seq is not None:
            where.append(f"seq {self.seq}")
        prefix = f"{', '.join(where)}: " if where else ""
        return f"chain {self.chain}: {prefix}{self.reason}"


@dataclass(slots=True)
class ChainReport:
    chain: str
    records: int = 0
    last_seq: int = 0
    checkpoints: int = 0
    anchored_seq: int = 0
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def unanchored(self) -> int:
        """Records after the last valid checkpoint: a tail truncated there goes unseen."""
        return max(self.last_seq - self.anchored_seq, 0)


@dataclass(slots=True)
class ChainVerifier:
    """Streams one chain's records in seq order and stops at the first problem.

    `start` resumes after an already-verified prefix (the checkpoint job checks only new records);
    `head_seq` is where the database's chain-head row says the chain ends, read *before* the
    records, so a chain shorter than it lost its tail.
    """

    chain: str
    checkpoints: Sequence[Checkpoint] = ()
    public_keys: Mapping[str, Ed25519PublicKey] = field(default_factory=dict)
    start: ChainHead | None = None
    head_seq: int | None = None
    report: ChainReport = field(init=False)
    _expected_seq: int = field(init=False)
    _last_hash: str = field(init=False)
    _pending: dict[int, list[Checkpoint]] = field(init=False)

    def __post_init__(self) -> None:
        start = self.start or ChainHead(self.chain)
        self.report = ChainReport(self.chain, last_seq=start.seq)
        self._expected_seq, self._last_hash = start.seq + 1, start.last_hash
        self._pending = {}
        for checkpoint in sorted(self.checkpoints, key=lambda c: (c.seq, c.id or 0)):
            reason = (
                f"belongs to chain {checkpoint.chain}"
                if checkpoint.chain != self.chain
                else checkpoint_problem(checkpoint, self.public_keys)
            )
            if reason is not None:
                self._fail(f"{checkpoint.label()} {reason}", seq=checkpoint.seq)
                return
            if checkpoint.seq > start.seq:  # those before `start` vouched for the prefix
                self._pending.setdefault(checkpoint.seq, []).append(checkpoint)

    @property
    def last_hash(self) -> str:
        """The hash of the last record fed (or of the start), which the next must link to."""
        return self._last_hash

    def _fail(self, reason: str, *, record_id: int | None = None, seq: int | None = None) -> None:
        if self.report.problem is None:
            self.report.problem = Problem(self.chain, reason, record_id, seq)

    def feed(self, record: ChainRecord) -> bool:
        """Check the next record; False once the chain is known bad (stop feeding)."""
        if self.report.problem is not None:
            return False
        self._check(record)
        if self.report.problem is not None:
            return False
        self.report.records += 1
        self.report.last_seq = record.seq
        self._expected_seq, self._last_hash = record.seq + 1, record.record_hash
        for checkpoint in self._pending.pop(record.seq, []):
            if checkpoint.last_hash != record.record_hash:
                self._fail(
                    f"differs from signed {checkpoint.label()}: the chain was rewritten up to here",
                    record_id=record.id,
                    seq=record.seq,
                )
                return False
            self.report.checkpoints += 1
            self.report.anchored_seq = record.seq
        return True

    def _check(self, record: ChainRecord) -> None:
        def fail(reason: str) -> None:
            self._fail(reason, record_id=record.id, seq=record.seq)

        expected = self._expected_seq
        if record.chain != self.chain:
            fail(f"belongs to chain {record.chain} (moved or inserted)")
        elif record.seq > expected:
            gap = f"{expected}" if record.seq == expected + 1 else f"{expected}–{record.seq - 1}"
            fail(f"follows seq {expected - 1}: seq {gap} missing (deleted)")
        elif record.seq < expected:
            fail(f"repeats or goes back after seq {expected - 1} (inserted or reordered)")
        elif record.prev_hash != self._last_hash:
            fail("does not link to the record before it (a record was deleted, inserted or moved)")
        else:
            try:
                recomputed = compute_hash(record)
            except (TypeError, ValueError) as error:
                fail(f"cannot be serialised ({error})")
                return
            if recomputed != record.record_hash:
                fail("contents do not match its hash (edited)")

    def finish(self) -> ChainReport:
        """Check for a lost tail: checkpoints or the head row beyond the last record."""
        if self.report.problem is None and self._pending:
            beyond = min(self._pending)
            checkpoint = self._pending[beyond][0]
            self._fail(
                f"the chain ends at seq {self.report.last_seq} but signed {checkpoint.label()} "
                f"covers seq {beyond}: the tail was truncated",
                seq=self.report.last_seq + 1,
            )
        if (
            self.report.problem is None
            and self.head_seq is not None
            and self.head_seq > self.report.last_seq
        ):
            self._fail(
                f"the chain ends at seq {self.report.last_seq} but its head row says "
                f"{self.head_seq}: the tail was truncated",
                seq=self.report.last_seq + 1,
            )
        return self.report


def verify_chain(
    chain: str,
    records: Iterable[ChainRecord],
    checkpoints: Sequence[Checkpoint] = (),
    public_keys: Mapping[str, Ed25519PublicKey] | None = None,
    *,
    head_seq: int | None = None,
) -> ChainReport:
    """Verify a whole chain (records in storage order) against its checkpoints."""
    verifier = ChainVerifier(chain, checkpoints, public_keys or {}, head_seq=head_seq)
    for record in records:
        if not verifier.feed(record):
            break
    return verifier.finish()
