"""The audit hash chain and its signed checkpoints, framework-free so it can be proven right.

Each record carries `record_hash = SHA-256(prev_hash ‖ canonical JSON of the record)`, where
prev_hash is the record_hash of the record before it in the same chain (one chain per service,
one for service-less system events) and `seq` numbers the chain's records 1, 2, 3… Editing,
deleting, inserting or reordering a record breaks a link or a hash; an attacker who rewrites every
hash after their edit is caught by the next checkpoint: `(chain, seq, last_hash, count)` signed
with an Ed25519 key kept outside the database. Truncating the tail is caught back to the last
checkpoint; records written after it are only as safe as the database until the next one.

`careloop audit verify`, the checkpoint job and the tamper tests all run `ChainVerifier`.

By responsibility: `hashing` (the records' canonical form, hashes and linking), `signing` (signed
checkpoints) and `verify` (the streaming verifier). Callers use this package's names.
"""

from careloop.audit.chain.hashing import (
    FORMAT_VERSION,
    GENESIS_HASH,
    SYSTEM_CHAIN,
    ChainHead,
    ChainRecord,
    canonical_bytes,
    chain_of,
    compute_hash,
    link,
    normalise_json,
    pseudonym,
)
from careloop.audit.chain.signing import (
    Checkpoint,
    checkpoint_message,
    checkpoint_problem,
    key_fingerprint,
    sign_checkpoint,
)
from careloop.audit.chain.verify import ChainReport, ChainVerifier, Problem, verify_chain

__all__ = [
    "FORMAT_VERSION",
    "GENESIS_HASH",
    "SYSTEM_CHAIN",
    "ChainHead",
    "ChainRecord",
    "ChainReport",
    "ChainVerifier",
    "Checkpoint",
    "Problem",
    "canonical_bytes",
    "chain_of",
    "checkpoint_message",
    "checkpoint_problem",
    "compute_hash",
    "key_fingerprint",
    "link",
    "normalise_json",
    "pseudonym",
    "sign_checkpoint",
    "verify_chain",
]
