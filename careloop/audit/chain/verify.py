"""Verifying a chain: stream its records in seq order against its signed checkpoints and stop at
the first problem (a gap, a broken link, an edited record, a rewritten or truncated tail).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from careloop.audit.chain.hashing import ChainHead, ChainRecord, compute_hash
from careloop.audit.chain.signing import Checkpoint, checkpoint_problem


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
