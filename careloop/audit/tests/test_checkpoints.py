"""Checkpoints: the worker signs each chain with new records, at most every N minutes; the command
signs now; nothing is signed over a chain that no longer verifies."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from careloop.audit import chain, keyfiles, keys
from careloop.audit.checkpoints import write_due_checkpoints
from careloop.audit.models import AuditCheckpoint
from careloop.audit.services import record_event
from careloop.audit.tests.conftest import run_audit, tampering
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.worker import registered_jobs


def test_the_worker_signs_new_records_at_most_every_interval(service, ben) -> None:
    assert registered_jobs()["audit.write_checkpoints"] is write_due_checkpoints
    assert write_due_checkpoints() == 0  # no chain yet
    record_event(actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    record_event(actor=None, action=AuditAction.SIGNED_IN, service_id=None)
    assert write_due_checkpoints() == 2
    assert write_due_checkpoints() == 0  # nothing new
    record_event(actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    assert write_due_checkpoints() == 0  # new, but not due yet
    interval = timedelta(minutes=settings.AUDIT_CHECKPOINT_MINUTES, seconds=1)
    with time_machine.travel(clock.now() + interval, tick=False):
        assert write_due_checkpoints() == 1
    latest = AuditCheckpoint.objects.filter(chain=str(service.id)).order_by("-seq").first()
    assert latest is not None and (latest.seq, latest.record_count) == (2, 2)
    signing = keys.signing_key().public_key()
    assert latest.key_fingerprint == chain.key_fingerprint(signing)


def test_the_command_signs_now_and_says_what_it_did(service, ben) -> None:
    record_event(actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    code, output = run_audit("checkpoint")
    assert code == 0 and f"chain {service.id}: signed at seq 1" in output
    record_event(actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    code, output = run_audit("checkpoint", "--service", str(service.id))
    assert code == 0 and "signed at seq 2" in output  # not due for the worker, signed anyway
    code, output = run_audit("checkpoint")
    assert code == 0 and "every chain is already checkpointed" in output


def test_a_tampered_chain_is_never_signed(service, ben) -> None:
    first = record_event(actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    assert run_audit("checkpoint")[0] == 0
    second = record_event(actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x.y' WHERE id = %s", [second.id])
    code, output = run_audit("checkpoint")
    assert code == 1 and f"refused: chain {service.id}: record id={second.id}, seq 2" in output
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [1]
    assert first.id != second.id


def test_public_key_prints_what_an_off_site_verifier_needs() -> None:
    code, output = run_audit("public-key")
    assert code == 0 and output.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in output


# --- key files ---------------------------------------------------------------------------------


def test_missing_keys_are_generated_private_and_never_overwritten(tmp_path: Path) -> None:
    signing, pseudonym = tmp_path / "keys" / "signing.pem", tmp_path / "keys" / "pseudonym"
    keyfiles.ensure_key_files(signing, pseudonym)
    for path in (signing, pseudonym):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    before = (signing.read_bytes(), pseudonym.read_bytes())
    keyfiles.ensure_key_files(signing, pseudonym)
    assert (signing.read_bytes(), pseudonym.read_bytes()) == before
    keyfiles.check_key_files(signing, pseudonym)
    assert isinstance(keyfiles.load_signing_key(signing), Ed25519PrivateKey)
    assert keyfiles.load_public_key(signing) is not None
    left = sorted(path.name for path in signing.parent.iterdir())
    assert left == ["pseudonym", "signing.pem"]  # no temporary files left behind


def test_bad_key_files_refuse_to_load(tmp_path: Path) -> None:
    short, garbage = tmp_path / "short", tmp_path / "garbage.pem"
    short.write_text("too short")
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    with pytest.raises(keyfiles.AuditKeyError, match="at least 32"):
        keyfiles.load_pseudonym_key(short)
    with pytest.raises(keyfiles.AuditKeyError, match="not an unencrypted PEM"):
        keyfiles.load_signing_key(garbage)
    with pytest.raises(keyfiles.AuditKeyError, match="cannot read"):
        keyfiles.check_key_files(tmp_path / "missing.pem", short)


def test_checkpoints_of_a_retired_key_verify_when_its_public_key_is_listed(
    service, ben, tmp_path: Path, settings
) -> None:
    record_event(actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    assert run_audit("checkpoint")[0] == 0
    retired = tmp_path / "retired.pub.pem"
    retired.write_bytes(keyfiles.public_key_pem(keys.signing_key().public_key()))
    new_key = tmp_path / "new.pem"
    keyfiles.ensure_key_files(new_key, tmp_path / "pseudonym")
    settings.AUDIT_SIGNING_KEY_FILE = new_key  # the key was rotated
    code, output = run_audit("verify")
    assert code == 1 and "signed by an unknown key" in output
    settings.AUDIT_VERIFY_PUBLIC_KEY_FILES = [retired]
    assert run_audit("verify")[0] == 0
