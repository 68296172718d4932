"""Verify the audit chains stored in the database with the pure verifier (careloop.audit.chain).

Each chain is read in seq order with a server-side cursor, so memory stays flat on long chains.
The head row and the checkpoints are read *before* the records: records committed meanwhile only
extend the chain, so a concurrent writer never makes a sound chain look truncated.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from careloop.audit import chain, keys, records
from careloop.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent

CHUNK = 5000


def known_chains(service_id: uuid.UUID | None = None) -> list[str]:
    """Every chain with a record, a head row or a checkpoint (a chain emptied still shows)."""
    if service_id is not None:
        return [chain.chain_of(service_id)]
    services = AuditEvent.objects.order_by().values_list("service_id", flat=True).distinct()
    found = {chain.chain_of(s) for s in services}
    found |= set(AuditChainHead.objects.values_list("chain", flat=True))
    found |= set(AuditCheckpoint.objects.values_list("chain", flat=True))
    return sorted(found, key=lambda c: (c != chain.SYSTEM_CHAIN, c))


def _service_of(key: str) -> uuid.UUID | None:
    return None if key == chain.SYSTEM_CHAIN else uuid.UUID(key)


def stored_checkpoints(key: str) -> list[chain.Checkpoint]:
    return [
        chain.Checkpoint(
            id=row.id,
            chain=row.chain,
            seq=row.seq,
            last_hash=row.last_hash,
            count=row.record_count,
            signed_at=row.signed_at,
            key_fingerprint=row.key_fingerprint,
            signature=row.signature,
        )
        for row in AuditCheckpoint.objects.filter(chain=key).order_by("seq", "id")
    ]


def stored_records(key: str, *, after_seq: int | None = None) -> Iterator[chain.ChainRecord]:
    """The chain's rows in seq order: all of them (a row numbered 0 or below included, so it is
    reported), or only those after `after_seq`."""
    rows = AuditEvent.objects.filter(service_id=_service_of(key))
    if after_seq is not None:
        rows = rows.filter(seq__gt=after_seq)
    rows = rows.order_by("seq", "id")
    for row in rows.values_list(*records.COLUMNS).iterator(chunk_size=CHUNK):
        yield records.from_row(row)


def verify_stored_chain(
    key: str, public_keys: dict[str, Ed25519PublicKey] | None = None
) -> chain.ChainReport:
    head_seq = AuditChainHead.objects.filter(chain=key).values_list("seq", flat=True).first()
    verifier = chain.ChainVerifier(
        key,
        stored_checkpoints(key),
        public_keys if public_keys is not None else keys.trusted_public_keys(),
        head_seq=head_seq,
    )
    for record in stored_records(key):
        if not verifier.feed(record):
            break
    return verifier.finish()


def verify_all(service_id: uuid.UUID | None = None) -> list[chain.ChainReport]:
    public_keys = keys.trusted_public_keys()
    return [verify_stored_chain(key, public_keys) for key in known_chains(service_id)]
