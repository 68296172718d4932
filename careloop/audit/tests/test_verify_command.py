"""`careloop audit verify` on the real database: each kind of tampering, end to end.

The tamperings run as a database superuser would (see conftest.tampering): the app's own role
cannot run them at all on PostgreSQL (test_postgresql.py).
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection

from careloop.audit import chain, records
from careloop.audit.models import AuditCheckpoint, AuditEvent
from careloop.audit.services import record_event
from careloop.audit.tests.conftest import run_audit, tampering
from careloop.audit.types import AuditAction
from careloop.audit.verification import stored_records
from careloop.core.models import Service


def test_an_intact_log_verifies_with_a_summary(service, chain_of_ten) -> None:
    record_event(actor=None, action=AuditAction.POPULATION_SEEDED, service_id=None)
    code, output = run_audit("verify")
    assert code == 0, output
    assert f"OK chain {service.id}: 10 records, 1 signed checkpoints up to seq 8, 2 records" in (
        output
    )
    assert "OK chain system: 1 records" in output
    assert "audit verified: 2 chains, 11 records intact" in output


def test_an_edited_field_names_the_record(chain_of_ten) -> None:
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_role = 'supervisor' WHERE id = %s", [chain_of_ten[3]]
        )
    code, output = run_audit("verify")
    assert code == 1
    assert f"record id={chain_of_ten[3]}, seq 4: contents do not match its hash" in output
    assert "audit verification FAILED for 1 of 1 chains" in output


def test_a_deleted_row_names_the_record_after_the_gap(chain_of_ten) -> None:
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [chain_of_ten[4]])
    code, output = run_audit("verify")
    assert code == 1
    assert f"record id={chain_of_ten[5]}, seq 6: follows seq 4: seq 5 missing" in output


def _db_uuid(value: uuid.UUID) -> object:
    """The service id as this database's raw SQL wants it (SQLite stores UUIDs as hex text)."""
    return AuditEvent._meta.get_field("service_id").get_db_prep_value(value, connection)


def _shift(cursor, service_id: uuid.UUID, from_seq: int, by: int) -> None:
    """Renumber seq >= from_seq (in two steps, so the unique (service, seq) index holds)."""
    stored_id = _db_uuid(service_id)
    cursor.execute(
        "UPDATE audit_auditevent SET seq = -seq WHERE service_id = %s AND seq >= %s",
        [stored_id, from_seq],
    )
    cursor.execute(
        "UPDATE audit_auditevent SET seq = -seq + %s WHERE service_id = %s AND seq < 0",
        [by, stored_id],
    )


def test_an_inserted_row_is_caught_even_when_well_formed(service, ben, chain_of_ten) -> None:
    fourth = next(r for r in stored_records(str(service.id)) if r.seq == 4)
    forged = replace(fourth, seq=5, prev_hash=fourth.record_hash, action="patient.exported")
    forged = replace(forged, record_hash=chain.compute_hash(forged))
    with tampering() as cursor:
        _shift(cursor, service.id, 5, 1)
    AuditEvent.objects.bulk_create([AuditEvent(**records.row_fields(forged))])
    code, output = run_audit("verify")
    assert code == 1
    assert f"record id={chain_of_ten[4]}, seq 6: does not link to the record before it" in output


def test_reordered_rows_are_caught(service, chain_of_ten) -> None:
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET seq = -1 WHERE id = %s", [chain_of_ten[2]])
        cursor.execute("UPDATE audit_auditevent SET seq = 3 WHERE id = %s", [chain_of_ten[6]])
        cursor.execute("UPDATE audit_auditevent SET seq = 7 WHERE id = %s", [chain_of_ten[2]])
    code, output = run_audit("verify")
    assert code == 1
    assert f"record id={chain_of_ten[6]}, seq 3: does not link" in output


def test_a_careful_rewrite_before_a_checkpoint_is_caught_by_its_signature(
    service, chain_of_ten
) -> None:
    """The intruder edits record 2 and recomputes every later hash, so every link holds."""
    stored = list(stored_records(str(service.id)))
    edited = replace(stored[1], purpose="HOPERAT")
    rewritten, _ = chain.link(
        chain.ChainHead(str(service.id), 1, stored[0].record_hash), [edited, *stored[2:]]
    )
    with tampering() as cursor:
        for record in rewritten:
            cursor.execute(
                "UPDATE audit_auditevent SET purpose = %s, prev_hash = %s, record_hash = %s "
                "WHERE id = %s",
                [record.purpose, record.prev_hash, record.record_hash, record.id],
            )
    code, output = run_audit("verify")
    assert code == 1
    assert f"record id={chain_of_ten[7]}, seq 8: differs from signed checkpoint #" in output


def test_a_truncated_tail_is_caught_back_to_the_last_checkpoint(service, chain_of_ten) -> None:
    with tampering() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditevent WHERE seq >= 7 AND service_id = %s",
            [_db_uuid(service.id)],
        )
        cursor.execute("UPDATE audit_auditchainhead SET seq = 6")  # covering their tracks
    code, output = run_audit("verify")
    assert code == 1
    assert "seq 7: the chain ends at seq 6 but signed checkpoint #" in output
    assert "covers seq 8: the tail was truncated" in output


def test_a_truncation_after_the_last_checkpoint_shows_only_in_the_head_row(
    service, chain_of_ten
) -> None:
    """The documented window: records 9 and 10 are not checkpointed yet."""
    with tampering() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditevent WHERE seq >= 9 AND service_id = %s",
            [_db_uuid(service.id)],
        )
    code, output = run_audit("verify")
    assert code == 1 and "chain ends at seq 8 but its head row says 10" in output
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditchainhead SET seq = 8")
    assert run_audit("verify")[0] == 0  # docs/privacy/audit.md: checkpoint often


def test_a_forged_or_edited_checkpoint_is_caught(service, chain_of_ten) -> None:
    checkpoint = AuditCheckpoint.objects.get()
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditcheckpoint SET last_hash = %s", ["f" * 64])
    code, output = run_audit("verify")
    assert code == 1 and f"checkpoint #{checkpoint.id} has an invalid signature" in output


def test_a_checkpoint_from_another_key_is_caught(service, chain_of_ten) -> None:
    records_ = list(stored_records(str(service.id)))
    head = chain.ChainHead(str(service.id), 10, records_[-1].record_hash)
    forged = chain.sign_checkpoint(
        Ed25519PrivateKey.generate(), head, signed_at=records_[-1].occurred_at
    )
    AuditCheckpoint.objects.create(
        chain=forged.chain,
        service_id=service.id,
        seq=forged.seq,
        last_hash=forged.last_hash,
        record_count=forged.count,
        signed_at=forged.signed_at,
        key_fingerprint=forged.key_fingerprint,
        signature=forged.signature,
    )
    code, output = run_audit("verify")
    assert code == 1 and "is signed by an unknown key" in output


def test_verify_one_service_leaves_the_others_alone(service, chain_of_ten) -> None:
    other = Service.objects.create(slug="other", name="Other")
    record_event(actor=None, action=AuditAction.REPORT_VIEWED, service_id=other.id)
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [chain_of_ten[0]])
    assert run_audit("verify", "--service", str(other.id))[0] == 0
    code, output = run_audit("verify", "--service", str(service.id))
    assert code == 1 and f"record id={chain_of_ten[1]}, seq 2: follows seq 0" in output
    code, output = run_audit("verify", "--service", "not-a-uuid")
    assert code == 1 and "invalid UUID value" in output


def test_a_row_numbered_outside_the_chain_is_still_read(service, chain_of_ten) -> None:
    first = next(iter(stored_records(str(service.id))))
    hidden = replace(first, seq=0, action="patient.exported")
    created = AuditEvent.objects.bulk_create([AuditEvent(**records.row_fields(hidden))])
    code, output = run_audit("verify")
    assert code == 1 and f"record id={created[0].id}, seq 0: repeats or goes back" in output
