"""Signed checkpoints: `(chain, seq, last_hash, count)` signed with an Ed25519 key kept outside
the database, so a rewrite of every hash after an edit is still caught at the next checkpoint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from careloop.audit.chain.hashing import FORMAT_VERSION, ChainHead, canonical_json, utc_text


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
    return canonical_json(
        {
            "v": FORMAT_VERSION,
            "chain": chain,
            "seq": seq,
            "last_hash": last_hash,
            "count": count,
            "signed_at": utc_text(signed_at),
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
