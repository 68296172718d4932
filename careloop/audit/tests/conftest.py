from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from careloop.audit.services import record_event
from careloop.audit.types import AuditAction


@contextmanager
def tampering() -> Iterator[Any]:
    """A cursor that can rewrite audit rows, as an intruder with database superuser rights can.

    On PostgreSQL the append-only trigger stops everyone, the table owner included; only a
    superuser can switch triggers off (session_replication_role = replica), which is what this
    does. SQLite has no trigger: raw SQL there bypasses only the ORM's refusal.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def run_audit(*args: str) -> tuple[int, str]:
    """`careloop audit ARGS`: (exit code, stdout + error message)."""
    out = io.StringIO()
    try:
        call_command("audit", *args, stdout=out)
    except CommandError as error:
        return error.returncode, f"{out.getvalue()}{error}"
    return 0, out.getvalue()


@pytest.fixture
def chain_of_ten(service, ben, ada_patient) -> list[int]:
    """Ten events in Ben's service, checkpointed after the 8th; returns their ids."""
    ids = []
    for number in range(10):
        event = record_event(
            actor=ben,
            action=AuditAction.PATIENT_VIEWED,
            service_id=service.id,
            patient_id=ada_patient.id,
            detail={"n": number},
        )
        ids.append(event.id)
        if number == 7:
            assert run_audit("checkpoint")[0] == 0
    return ids
