"""Encryption at rest for free text: a keyring of AES-256-GCM keys kept outside the database.

The keyring is a JSON file named by the FIELD_ENCRYPTION_KEYS_FILE setting:
`{"active": "k2", "keys": {"k1": "<base64 of 32 bytes>", "k2": "..."}}`. New values are sealed
with the active key; any key in the ring opens the values that name it, which is what lets a
rotation re-encrypt rows while the service keeps running (docs/privacy/hardening.md).

A sealed value is `v1:<key id>:<base64(nonce | ciphertext | tag)>`. The associated data binds it
to its format version, key id and table column, so a ciphertext copied into another column (or
relabelled with another key id) fails authentication instead of decrypting.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12  # 96 bits: the size GCM is specified for; random per value
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
TOKEN_PATTERN = re.compile(r"^v1:([A-Za-z0-9_-]{1,40}):([A-Za-z0-9+/]+={0,2})$")


class EncryptionError(Exception):
    """Base class: the keyring or a sealed value cannot be used. Messages never hold plaintext."""


class KeyringError(EncryptionError):
    """The keyring file is missing, unreadable or malformed."""


class UnknownKeyError(EncryptionError):
    """A value names a key id that is not in the keyring (retired too early, or wrong keyring)."""


class DecryptionError(EncryptionError):
    """A value is malformed, was tampered with, or belongs to another column."""


def looks_encrypted(value: str) -> bool:
    """True for a value in the sealed format (used to skip already-encrypted rows)."""
    return TOKEN_PATTERN.match(value) is not None


def key_id_of(token: str) -> str:
    """The key id a sealed value names; DecryptionError if it is not a sealed value."""
    match = TOKEN_PATTERN.match(token)
    if match is None:
        raise DecryptionError("value is not in the encrypted format")
    return match.group(1)


def _associated_data(key_id: str, context: str) -> bytes:
    return f"careloop:{FORMAT_VERSION}:{key_id}:{context}".encode()


@dataclass(frozen=True)
class Keyring:
    """An immutable set of keys by id, one of them active (the one new values are sealed with)."""

    active: str
    keys: Mapping[str, bytes]

    def __post_init__(self) -> None:
        for key_id, key in self.keys.items():
            if not KEY_ID_PATTERN.match(key_id):
                raise KeyringError(f"key id {key_id!r} must match {KEY_ID_PATTERN.pattern}")
            if len(key) != KEY_BYTES:
                raise KeyringError(f"key {key_id!r} must be {KEY_BYTES} bytes")
        if self.active not in self.keys:
            raise KeyringError(f"active key {self.active!r} is not in the keyring")
        object.__setattr__(self, "keys", MappingProxyType(dict(self.keys)))

    # --- construction and serialisation -------------------------------------------------------

    @classmethod
    def generate(cls) -> Keyring:
        key_id = new_key_id()
        return cls(active=key_id, keys={key_id: AESGCM.generate_key(bit_length=256)})

    @classmethod
    def from_json(cls, data: Any) -> Keyring:
        if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
            raise KeyringError('keyring must be {"active": id, "keys": {id: base64 key}}')
        active = data.get("active")
        if not isinstance(active, str):
            raise KeyringError("keyring 'active' must be a key id")
        keys: dict[str, bytes] = {}
        for key_id, encoded in data["keys"].items():
            try:
                keys[str(key_id)] = base64.b64decode(str(encoded), validate=True)
            except (binascii.Error, ValueError):
                raise KeyringError(f"key {key_id!r} is not valid base64") from None
        return cls(active=active, keys=keys)

    @classmethod
    def from_file(cls, path: Path) -> Keyring:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise KeyringError(f"cannot read keyring {path}: {error.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise KeyringError(f"keyring {path} is not valid JSON") from None
        return cls.from_json(data)

    def to_json(self) -> dict[str, Any]:
        return {
            "active": self.active,
            "keys": {kid: base64.b64encode(key).decode("ascii") for kid, key in self.keys.items()},
        }

    # --- rotation ------------------------------------------------------------------------------

    def with_new_active_key(self) -> Keyring:
        key_id = new_key_id()
        while key_id in self.keys:  # pragma: no cover - 16 random bits within the same second
            key_id = new_key_id()
        return Keyring(
            active=key_id, keys={**self.keys, key_id: AESGCM.generate_key(bit_length=256)}
        )

    def without(self, key_id: str) -> Keyring:
        if key_id == self.active:
            raise KeyringError(f"{key_id!r} is the active key and cannot be retired")
        if key_id not in self.keys:
            raise UnknownKeyError(f"no key {key_id!r} in the keyring")
        return Keyring(active=self.active, keys={k: v for k, v in self.keys.items() if k != key_id})

    # --- sealing -------------------------------------------------------------------------------

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Seal PLAINTEXT for the column named by CONTEXT ("table.column") with the active key."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active]).encrypt(
            nonce, plaintext.encode("utf-8"), _associated_data(self.active, context)
        )
        payload = base64.b64encode(nonce + sealed).decode("ascii")
        return f"{FORMAT_VERSION}:{self.active}:{payload}"

    def decrypt(self, token: str, *, context: str) -> str:
        """Open a sealed value with the key it names; errors never echo the value."""
        match = TOKEN_PATTERN.match(token)
        if match is None:
            raise DecryptionError(f"value in {context} is not in the encrypted format")
        key_id, payload = match.groups()
        key = self.keys.get(key_id)
        if key is None:
            raise UnknownKeyError(f"value in {context} names key {key_id!r}, not in the keyring")
        raw = base64.b64decode(payload)
        if len(raw) < NONCE_BYTES + 16:
            raise DecryptionError(f"value in {context} is truncated")
        try:
            plaintext = AESGCM(key).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(key_id, context)
            )
        except InvalidTag:
            raise DecryptionError(
                f"value in {context} failed authentication (tampered, or from another column)"
            ) from None
        return plaintext.decode("utf-8")


def new_key_id() -> str:
    """A sortable, readable id: k<UTC timestamp>-<random>, e.g. k20250301T120000-9f2c."""
    return f"k{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"


# --- the keyring file -------------------------------------------------------------------------


def write_keyring(path: Path, keyring: Keyring) -> None:
    """Replace the file atomically (readers see the old or the new ring, never half), mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".keyring-", dir=path.parent)
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(keyring.to_json(), handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def ensure_keyring_file(path: Path) -> None:
    """Development and test only: create a fresh keyring if none exists (never overwrites)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(Keyring.generate().to_json(), indent=2).encode("utf-8")
    try:
        # O_EXCL: when two processes start at once, exactly one writes and both use its ring.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


_lock = threading.Lock()
_cached: tuple[str, int, int, int, Keyring] | None = None


def keyring_path() -> Path:
    from django.conf import settings

    return Path(settings.FIELD_ENCRYPTION_KEYS_FILE)


def get_keyring() -> Keyring:
    """The current keyring, re-read whenever the file changes (a rotation reaches every process)."""
    global _cached
    path = keyring_path()
    try:
        stat = path.stat()
    except OSError as error:
        raise KeyringError(f"cannot read keyring {path}: {error.strerror}") from None
    # os.replace gives a new inode, so a rewrite within one clock tick is still noticed.
    signature = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _cached
    if cached is not None and cached[:4] == signature:
        return cached[4]
    with _lock:
        keyring = Keyring.from_file(path)
        _cached = (*signature, keyring)
        return keyring


def encrypt(plaintext: str, *, context: str) -> str:
    return get_keyring().encrypt(plaintext, context=context)


def decrypt(token: str, *, context: str) -> str:
    return get_keyring().decrypt(token, context=context)
