"""The audit's two keys, kept in files outside the database (framework-free: settings use it).

- the signing key: an Ed25519 private key (PKCS#8 PEM) that signs checkpoints; verifying needs
  only its public key, whose SHA-256 fingerprint each checkpoint names;
- the pseudonym key: at least 32 random bytes (written as hex) keying the HMAC that stands for a
  patient's id in audit records, so the log names nobody once the patient's records are erased.

Development and test generate missing files (mode 0600); production refuses to start without them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

MIN_PSEUDONYM_KEY_CHARS = 32


class AuditKeyError(Exception):
    """A key file is missing, unreadable or not the kind of key it should be."""


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise AuditKeyError(f"cannot read the audit {what} {path}: {error.strerror}") from None


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(_read(path, "signing key"), password=None)
    except (ValueError, TypeError) as error:
        raise AuditKeyError(f"{path} is not an unencrypted PEM private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditKeyError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A verifier's key: a public key PEM, or the private key PEM (its public half is used)."""
    data = _read(path, "verification key")
    if b"PRIVATE KEY" in data:
        return load_signing_key(path).public_key()
    try:
        key = load_pem_public_key(data)
    except ValueError as error:
        raise AuditKeyError(f"{path} is not a PEM public key: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise AuditKeyError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def load_pseudonym_key(path: Path) -> bytes:
    key = _read(path, "pseudonym key").strip()
    if len(key) < MIN_PSEUDONYM_KEY_CHARS:
        raise AuditKeyError(
            f"{path} must hold at least {MIN_PSEUDONYM_KEY_CHARS} random characters"
        )
    return key


def check_key_files(signing_key: Path, pseudonym_key: Path) -> None:
    """Production start-up: refuse to run with a missing or malformed key."""
    load_signing_key(signing_key)
    load_pseudonym_key(pseudonym_key)


def _create_exclusive(path: Path, data: bytes) -> None:
    """Write a new 0600 file; when two processes race, exactly one writes and both use its key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # link() fails if the file appeared meanwhile: a key is never overwritten.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def ensure_key_files(signing_key: Path, pseudonym_key: Path) -> None:
    """Development and test only: generate whichever key file is missing (never overwrites)."""
    if not signing_key.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
        _create_exclusive(signing_key, pem)
    if not pseudonym_key.exists():
        _create_exclusive(pseudonym_key, secrets.token_hex(32).encode("ascii") + b"\n")
