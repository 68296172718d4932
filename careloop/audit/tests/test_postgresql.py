"""PostgreSQL only: concurrent writers keep each chain whole; audit rows cannot be rewritten.

Run with DATABASE_URL=postgresql://… (CI does). On SQLite these are skipped: SQLite serialises
every writer on one file lock and has neither roles nor the append-only trigger.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.audit.models import AuditChainHead, AuditEvent
from careloop.audit.services import record_event, record_patient_reads
from careloop.audit.tests.conftest import run_audit
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.core.models import Service

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgresql://…): row locks, roles and triggers",
)

THREADS = 6
TRANSACTIONS_PER_THREAD = 15


def _writer(services: list[Service], actor: User, seed: int, errors: list[BaseException]) -> None:
    rng = random.Random(seed)
    try:
        for _ in range(TRANSACTIONS_PER_THREAD):
            with transaction.atomic():
                service = rng.choice(services)
                record_event(actor=actor, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
                time.sleep(rng.random() / 200)  # the caller's own work, lock held meanwhile
                record_patient_reads(
                    actor=actor,
                    action=AuditAction.CASELOAD_VIEWED,
                    service_id=service.id,
                    patient_ids=[uuid.uuid4(), uuid.uuid4()],
                    purpose=PurposeOfUse.TREAT,
                )
            if rng.random() < 0.2:
                record_event(actor=None, action=AuditAction.SIGNED_IN, service_id=None)
    except BaseException as error:
        errors.append(error)
    finally:
        connection.close()  # this thread's own connection, or the test database stays in use


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_a_chain() -> None:
    services = [Service.objects.create(slug=f"s{n}", name=f"Service {n}") for n in range(2)]
    actor = User.objects.create_user(username="w", role=Role.CLINICIAN, service=services[0])
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_writer, args=(services, actor, seed, errors))
        for seed in range(THREADS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - started
    assert errors == []
    total = AuditEvent.objects.exclude(service_id=None).count()
    assert total == THREADS * TRANSACTIONS_PER_THREAD * 3
    for service in services:
        seqs = list(
            AuditEvent.objects.filter(service_id=service.id)
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        assert seqs == list(range(1, len(seqs) + 1))
        assert AuditChainHead.objects.get(chain=str(service.id)).seq == len(seqs)
    code, output = run_audit("verify")
    assert code == 0, output
    print(f"{total} chained events from {THREADS} threads in {elapsed:.2f} s")


def _refused(sql: str, params: list[Any] | None = None) -> str:
    """Run SQL that must fail, in a savepoint so the test's transaction survives."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return str(error)
    raise AssertionError(f"not refused: {sql}")


def test_the_trigger_refuses_updates_and_deletes_even_to_the_table_owner(service) -> None:
    event = record_event(actor=None, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    assert "append-only: UPDATE on audit_auditevent refused" in _refused(
        "UPDATE audit_auditevent SET action = 'test.changed' WHERE id = %s", [event.id]
    )
    assert "append-only: DELETE on audit_auditevent refused" in _refused(
        "DELETE FROM audit_auditevent WHERE id = %s", [event.id]
    )
    assert run_audit("checkpoint")[0] == 0
    assert "append-only: DELETE on audit_auditcheckpoint" in _refused(
        "DELETE FROM audit_auditcheckpoint"
    )
    assert AuditEvent.objects.get(id=event.id).action == "patient.viewed"


def test_the_restricted_app_role_may_only_insert_and_read_audit_rows(service) -> None:
    """The role is created inside the test's transaction, so it disappears with it."""
    event = record_event(actor=None, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    role = f"careloop_app_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    code, output = run_audit("restrict-app-role", role)
    assert code == 0, output
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        assert "permission denied" in _refused(
            "UPDATE audit_auditevent SET action = 'x.y' WHERE id = %s", [event.id]
        )
        assert "permission denied" in _refused("DELETE FROM audit_auditevent")
        assert "permission denied" in _refused("TRUNCATE audit_auditevent")
        assert "permission denied" in _refused("DELETE FROM audit_auditcheckpoint")
        record_event(
            actor=None, action=AuditAction.PATIENT_VIEWED, service_id=service.id
        )  # INSERT works
        Service.objects.filter(id=service.id).update(name="Renamed")  # other tables: read/write
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.filter(service_id=service.id).count() == 2
    code, output = run_audit("restrict-app-role", "postgres_no_such_role")
    assert code == 1 and "no PostgreSQL role" in output
