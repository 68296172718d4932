"""Signed checkpoints: every chain's length and last hash, signed with the key outside the database.

The worker job writes one per chain that has new records, at most every AUDIT_CHECKPOINT_MINUTES;
`careloop audit checkpoint` writes one now. Before signing, the new records are verified from the
previous checkpoint on, so a checkpoint never vouches for a chain that was already tampered with.
Records are read without locks: committed records always form a prefix of the chain (writers
append under the head lock, in order), so writers never wait for a checkpoint.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from careloop.audit import chain, keys, verification
from careloop.audit.models import AuditChainHead, AuditCheckpoint
from careloop.core import clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckpointOutcome:
    chain: str
    written: AuditCheckpoint | None
    reason: str  # why nothing was written, or "signed"


def _last_checkpoint(key: str) -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.filter(chain=key).order_by("-seq", "-id").first()


def checkpoint_chain(key: str, *, force: bool = False) -> CheckpointOutcome:
    """Sign the chain's current end, if it has records the last checkpoint does not cover."""
    previous = _last_checkpoint(key)
    if previous is not None and not force:
        due = previous.signed_at + timedelta(minutes=settings.AUDIT_CHECKPOINT_MINUTES)
        if clock.now() < due:
            return CheckpointOutcome(key, None, "not due")
    public_keys = keys.trusted_public_keys()
    start = chain.ChainHead(key)
    checkpoints: list[chain.Checkpoint] = []
    if previous is not None:
        start = chain.ChainHead(key, previous.seq, previous.last_hash)
        checkpoints = [c for c in verification.stored_checkpoints(key) if c.id == previous.id]
    verifier = chain.ChainVerifier(key, checkpoints, public_keys, start=start)
    # The previous checkpoint's own signature is checked by the constructor; its records are not
    # re-read: the segment after it is checked against its hash.
    if verifier.report.problem is None:
        for record in verification.stored_records(key, after_seq=start.seq):
            if not verifier.feed(record):
                break
    report = verifier.finish()
    if report.problem is not None:
        log.error("audit chain %s NOT checkpointed: %s", key, report.problem)
        return CheckpointOutcome(key, None, f"refused: {report.problem}")
    if report.last_seq == start.seq:
        return CheckpointOutcome(key, None, "no new records")
    end = chain.ChainHead(key, report.last_seq, verifier.last_hash)
    signed = chain.sign_checkpoint(keys.signing_key(), end, signed_at=clock.now())
    try:
        with transaction.atomic():
            row = AuditCheckpoint.objects.create(
                chain=key,
                service_id=None if key == chain.SYSTEM_CHAIN else key,
                seq=signed.seq,
                last_hash=signed.last_hash,
                record_count=signed.count,
                signed_at=signed.signed_at,
                key_fingerprint=signed.key_fingerprint,
                signature=signed.signature,
            )
    except IntegrityError:  # another worker signed the same end a moment ago
        return CheckpointOutcome(key, None, "already signed")
    log.info("audit chain %s checkpointed at seq %s", key, signed.seq)
    return CheckpointOutcome(key, row, "signed")


def chains_with_new_records() -> list[str]:
    covered = dict(
        AuditCheckpoint.objects.values("chain")
        .annotate(last=Max("seq"))
        .values_list("chain", "last")
    )
    return sorted(
        key
        for key, seq in AuditChainHead.objects.values_list("chain", "seq")
        if seq > covered.get(key, 0)
    )


def write_checkpoints(*, force: bool = False) -> list[CheckpointOutcome]:
    return [checkpoint_chain(key, force=force) for key in chains_with_new_records()]


def write_due_checkpoints() -> int:
    """The worker job: how many checkpoints it signed (a refused chain is logged as an error)."""
    return sum(1 for outcome in write_checkpoints() if outcome.written is not None)
