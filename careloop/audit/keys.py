"""The audit keys named by settings, loaded once per process (files: careloop.audit.keyfiles)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from careloop.audit import chain, keyfiles


@functools.cache
def _signing_key(path: Path) -> Ed25519PrivateKey:
    return keyfiles.load_signing_key(path)


@functools.cache
def _pseudonym_key(path: Path) -> bytes:
    return keyfiles.load_pseudonym_key(path)


def signing_key() -> Ed25519PrivateKey:
    return _signing_key(Path(settings.AUDIT_SIGNING_KEY_FILE))


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """Fingerprint → key: the current signing key's public half and any retired keys'."""
    keys = [keyfiles.load_public_key(Path(p)) for p in settings.AUDIT_VERIFY_PUBLIC_KEY_FILES]
    if Path(settings.AUDIT_SIGNING_KEY_FILE).exists() or not keys:
        keys.append(signing_key().public_key())
    return {chain.key_fingerprint(key): key for key in keys}


def patient_ref(patient_id: uuid.UUID | str) -> str:
    """The keyed HMAC that stands for a patient in audit records."""
    return chain.pseudonym(_pseudonym_key(Path(settings.AUDIT_PSEUDONYM_KEY_FILE)), patient_id)


def identifier_ref(kind: str, value: str) -> str:
    """The keyed HMAC that stands for a personal identifier other than a patient id, e.g. the
    username typed at a failed sign-in: repeated attempts match, the name cannot be read back.
    `kind` separates namespaces, so no identifier's pseudonym equals a patient's."""
    key = _pseudonym_key(Path(settings.AUDIT_PSEUDONYM_KEY_FILE))
    message = f"{kind}:{value}".encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()
