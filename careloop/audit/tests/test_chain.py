"""The pure hash chain: linking, checkpoints, and 1,000 random tamperings all detected (P7)."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from careloop.audit import chain
from careloop.audit.chain import ChainHead, ChainRecord, Checkpoint

SERVICE = str(uuid.UUID(int=7))
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ACTIONS = ("patient.viewed", "assessment.submitted", "alert.raised", "alert.acknowledged")
ROLES = ("clinician", "supervisor", "patient", "system")


def _fields(rng: random.Random, i: int) -> ChainRecord:
    return ChainRecord(
        id=1000 + i,
        chain=SERVICE,
        seq=0,
        occurred_at=START + timedelta(seconds=37 * i, microseconds=rng.randrange(10**6)),
        service_id=SERVICE,
        actor_id=str(uuid.UUID(int=rng.randrange(1, 50))),
        actor_role=rng.choice(ROLES),
        action=rng.choice(ACTIONS),
        purpose=rng.choice(("TREAT", "PATRQT", "HOPERAT", "")),
        patient_ref=f"{rng.getrandbits(256):064x}",
        object_type="Assessment",
        object_id=str(uuid.UUID(int=rng.getrandbits(128))),
        source_ip=rng.choice((None, "192.0.2.10", "2001:db8::7")),
        detail={"instrument": "phq9@1.0.0", "score": rng.randrange(28), "ratio": 0.5},
    )


def _build(rng: random.Random, key: Ed25519PrivateKey, n: int, every: int):
    """A chain of n records with a checkpoint every `every` records and at the tail."""
    head = ChainHead(SERVICE)
    records: list[ChainRecord] = []
    checkpoints: list[Checkpoint] = []
    for i in range(n):
        (record,), head = chain.link(head, [_fields(rng, i)])
        records.append(record)
        if head.seq % every == 0 or head.seq == n:
            signed_at = record.occurred_at + timedelta(seconds=1)
            checkpoints.append(
                replace(chain.sign_checkpoint(key, head, signed_at=signed_at), id=len(checkpoints))
            )
    return records, checkpoints


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _trusted(key: Ed25519PrivateKey):
    return {chain.key_fingerprint(key.public_key()): key.public_key()}


def test_an_intact_chain_verifies_and_reports_its_extent(key) -> None:
    records, checkpoints = _build(random.Random(1), key, 120, every=50)
    report = chain.verify_chain(SERVICE, records, checkpoints, _trusted(key), head_seq=120)
    assert report.ok, report.problem
    assert (report.records, report.last_seq, report.checkpoints) == (120, 120, 3)
    assert (report.anchored_seq, report.unanchored) == (120, 0)


def test_records_are_numbered_and_linked_from_the_genesis_hash() -> None:
    rng = random.Random(2)
    linked, head = chain.link(ChainHead(SERVICE), [_fields(rng, 0), _fields(rng, 1)])
    assert [r.seq for r in linked] == [1, 2]
    assert linked[0].prev_hash == chain.GENESIS_HASH
    assert linked[1].prev_hash == linked[0].record_hash == chain.compute_hash(linked[0])
    assert (head.seq, head.last_hash) == (2, linked[1].record_hash)
    with pytest.raises(ValueError, match="linked onto chain"):
        chain.link(ChainHead("system"), [_fields(rng, 2)])


def test_the_hash_covers_every_field_but_the_storage_id() -> None:
    (record,), _ = chain.link(ChainHead(SERVICE), [_fields(random.Random(3), 0)])
    assert chain.compute_hash(replace(record, id=99)) == record.record_hash
    for name, value in _DIFFERENT_VALUES.items():
        changed = replace(record, **{name: value})
        assert chain.compute_hash(changed) != record.record_hash, name


_DIFFERENT_VALUES: dict[str, Any] = {
    "chain": "system",
    "seq": 2,
    "occurred_at": START - timedelta(microseconds=1),
    "service_id": None,
    "actor_id": None,
    "actor_role": "auditor",
    "action": "patient.exported",
    "purpose": "HRESCH",
    "patient_ref": "f" * 64,
    "object_type": "Patient",
    "object_id": "x",
    "source_ip": "198.51.100.1",
    "detail": {"instrument": "gad7@1.0.0"},
    "prev_hash": "1" * 64,
}


def test_json_is_normalised_as_stores_return_it() -> None:
    assert chain.normalise_json({"a": 1.0, "b": 1e20, "c": (0.5, True, None)}) == {
        "a": 1,
        "b": 10**20,
        "c": [0.5, True, None],
    }
    with pytest.raises(ValueError, match="NaN"):
        chain.normalise_json({"a": float("nan")})
    with pytest.raises(TypeError, match="keys must be strings"):
        chain.normalise_json({1: "x"})
    with pytest.raises(ValueError, match="timezone-aware"):
        chain.compute_hash(replace(_fields(random.Random(4), 0), occurred_at=datetime(2026, 1, 1)))  # noqa: DTZ001


def test_pseudonyms_are_stable_per_key_and_reveal_nothing_without_it() -> None:
    patient = uuid.UUID("0190a1b2-0000-7000-8000-000000000001")
    ref = chain.pseudonym(b"k" * 32, patient)
    assert ref == chain.pseudonym(b"k" * 32, str(patient).upper())
    assert ref != chain.pseudonym(b"j" * 32, patient)
    assert len(ref) == 64 and str(patient) not in ref


# --- checkpoints -------------------------------------------------------------------------------


def test_a_checkpoint_signed_by_an_unknown_key_is_reported(key) -> None:
    records, checkpoints = _build(random.Random(5), key, 20, every=10)
    intruder = Ed25519PrivateKey.generate()
    forged = chain.sign_checkpoint(
        intruder, ChainHead(SERVICE, 20, records[-1].record_hash), signed_at=START
    )
    report = chain.verify_chain(SERVICE, records, [*checkpoints, forged], _trusted(key))
    assert report.problem is not None and "unknown key" in report.problem.reason


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"last_hash": "0" * 64}, "invalid signature"),
        ({"signed_at": START}, "invalid signature"),
        ({"signature": "00" * 64}, "invalid signature"),
        ({"signature": "not hex"}, "invalid signature"),
        ({"count": 19}, "claims 19 records"),
        ({"chain": "system"}, "belongs to chain system"),
    ],
)
def test_an_edited_checkpoint_is_reported(key, change, reason) -> None:
    records, checkpoints = _build(random.Random(6), key, 20, every=10)
    checkpoints[-1] = replace(checkpoints[-1], **change)
    report = chain.verify_chain(SERVICE, records, checkpoints, _trusted(key))
    assert report.problem is not None and reason in report.problem.reason
    assert "checkpoint #" in report.problem.reason


def test_the_window_after_the_last_checkpoint_is_what_the_docs_say(key) -> None:
    """Records after the last checkpoint are protected by links and the head row only."""
    records, checkpoints = _build(random.Random(7), key, 30, every=10)
    anchored = [c for c in checkpoints if c.seq <= 20]
    # Dropping records 21..30 (not yet checkpointed) and the head row's word: not detectable.
    assert chain.verify_chain(SERVICE, records[:25], anchored, _trusted(key)).ok
    # The head row, read before the records, still catches a careless truncation.
    report = chain.verify_chain(SERVICE, records[:25], anchored, _trusted(key), head_seq=30)
    assert report.problem is not None and "head row says 30" in report.problem.reason
    # Once the tail is checkpointed, the same truncation is caught by the signature alone.
    report = chain.verify_chain(SERVICE, records[:25], checkpoints, _trusted(key))
    assert report.problem is not None and "tail was truncated" in report.problem.reason
    assert report.problem.seq == 26


def test_resuming_after_a_checkpoint_checks_only_the_new_records(key) -> None:
    records, checkpoints = _build(random.Random(8), key, 30, every=10)
    at_20 = next(c for c in checkpoints if c.seq == 20)
    verifier = chain.ChainVerifier(
        SERVICE, [at_20], _trusted(key), start=ChainHead(SERVICE, 20, at_20.last_hash)
    )
    assert all(verifier.feed(r) for r in records[20:])
    assert verifier.finish().ok and verifier.last_hash == records[-1].record_hash
    edited = chain.ChainVerifier(SERVICE, start=ChainHead(SERVICE, 20, "e" * 64))
    assert not edited.feed(records[20])
    assert "does not link" in str(edited.finish().problem)


# --- 1,000 random tamperings (P7) --------------------------------------------------------------


def _relink(records: list[ChainRecord], start: int) -> None:
    """The careful attacker: renumber and rehash everything from `start` so every link holds."""
    head = (
        ChainHead(SERVICE)
        if start == 0
        else ChainHead(SERVICE, records[start - 1].seq, records[start - 1].record_hash)
    )
    records[start:], _ = chain.link(head, records[start:])


def _edit(rng: random.Random, record: ChainRecord, *, careful: bool) -> ChainRecord:
    # A careful attacker rehashes the record anyway, so editing only its hash would be no edit.
    name = rng.choice([*_DIFFERENT_VALUES] if careful else [*_DIFFERENT_VALUES, "record_hash"])
    if name == "record_hash":
        return replace(record, record_hash=f"{rng.getrandbits(256):064x}")
    if name == "detail":
        return replace(record, detail={**record.detail, "score": record.detail["score"] + 1})
    if name == "seq":
        return replace(record, seq=record.seq + rng.choice((-1, 1, 5)))
    if name == "occurred_at":
        return replace(record, occurred_at=record.occurred_at + timedelta(microseconds=1))
    return replace(record, **{name: _DIFFERENT_VALUES[name]})


def _tamper(rng: random.Random, records: list[ChainRecord]) -> str:
    """Apply one random tampering in place; returns what was done (for the failure message)."""
    kind = rng.choice(("update", "delete", "insert", "reorder", "truncate"))
    careful = rng.random() < 0.5
    n = len(records)
    if kind == "update":
        i = rng.randrange(n)
        records[i] = _edit(rng, records[i], careful=careful)
        if careful and records[i].chain == SERVICE:
            records[i] = replace(records[i], record_hash=chain.compute_hash(records[i]))
            if i + 1 < n:
                _relink(records, i + 1)
        return f"update #{i} careful={careful}"
    if kind == "delete":
        i = rng.randrange(n)
        del records[i]
        if careful and i < len(records):
            _relink(records, i)
        return f"delete #{i} careful={careful}"
    if kind == "insert":
        # Before an existing record: a well-formed record appended after the last checkpoint is
        # the documented window (docs/privacy/audit.md), not a tampering a hash chain can see.
        i = rng.randrange(n)
        forged = replace(_fields(rng, 5000 + i), seq=records[i].seq)
        forged = replace(forged, prev_hash=records[i - 1].record_hash if i else chain.GENESIS_HASH)
        records.insert(i, replace(forged, record_hash=chain.compute_hash(forged)))
        if careful:
            _relink(records, i)
        return f"insert at #{i} careful={careful}"
    if kind == "reorder":
        i, j = sorted(rng.sample(range(n), 2))
        records[i], records[j] = records[j], records[i]
        if careful:
            _relink(records, i)
        return f"swap #{i} and #{j} careful={careful}"
    keep = rng.randrange(n)
    del records[keep:]
    return f"truncate to {keep}"


@pytest.mark.slow  # a thousand full verifications of a 120-record chain: the slowest unit test
def test_one_thousand_random_tamperings_are_all_detected(key) -> None:
    rng = random.Random(20260105)
    original, checkpoints = _build(rng, key, 120, every=25)
    trusted = _trusted(key)
    assert chain.verify_chain(SERVICE, original, checkpoints, trusted).ok
    missed = []
    kinds: dict[str, int] = {}
    for _ in range(1000):
        copy = list(original)
        done = _tamper(rng, copy)
        kinds[done.split()[0]] = kinds.get(done.split()[0], 0) + 1
        report = chain.verify_chain(SERVICE, copy, checkpoints, trusted)
        if report.ok:
            missed.append(done)
        else:
            assert report.problem is not None and report.problem.chain == SERVICE
    assert missed == [], f"{len(missed)} of 1000 tamperings went undetected: {missed[:10]}"
    assert set(kinds) == {"update", "delete", "insert", "swap", "truncate"}
    assert min(kinds.values()) > 150  # each kind well represented
