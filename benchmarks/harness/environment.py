"""The environment Careloop runs in for the benchmark: CARELOOP_ENV=production, with keys kept
per population (seeded rows are encrypted with them, so the servers must read with the same)."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from benchmarks.harness.config import ROOT

KEYS_ROOT = ROOT / "var" / "bench"


def keys_dir(database: str, *, fresh: bool = False) -> Path:
    """Where the population's keys live (under var/, which is never committed)."""
    directory = KEYS_ROOT / database
    if fresh and directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    return directory


def production_env(database_url: str, keys: Path) -> dict[str, str]:
    """CARELOOP_ENV=production as an operator would run it, except plain HTTP on loopback."""
    keyring = keys / "field_encryption_keys.json"
    if not keyring.exists():
        from careloop.core.crypto import ensure_keyring_file  # framework-free helper

        ensure_keyring_file(keyring)
    secret = keys / "secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(64), encoding="utf-8")
    return {
        **os.environ,
        **_audit_key_env(keys),
        "CARELOOP_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": secret.read_text(encoding="utf-8"),
        "FIELD_ENCRYPTION_KEYS_FILE": str(keyring),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "OPENBLAS_NUM_THREADS": "1",
        "PYTHONPATH": str(ROOT),
    }


def _audit_key_env(keys: Path) -> dict[str, str]:
    """Throw-away audit-chain keys (signing and pseudonym), which production requires."""
    try:
        from careloop.audit.keyfiles import ensure_key_files  # framework-free
    except ImportError:  # a build from before the audit hash chain
        return {}
    signing, pseudonym = keys / "audit_signing_key.pem", keys / "audit_pseudonym_key"
    ensure_key_files(signing, pseudonym)
    return {"AUDIT_SIGNING_KEY_FILE": str(signing), "AUDIT_PSEUDONYM_KEY_FILE": str(pseudonym)}
