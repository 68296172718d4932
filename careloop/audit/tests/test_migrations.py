"""Rows written before the chain existed are chained, and their raw patient ids replaced."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from careloop.audit.models import AuditChainHead, AuditEvent
from careloop.audit.selectors import patient_ref
from careloop.audit.verification import verify_all

BEFORE_CHAIN = [("audit", "0002_free_action_codes")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


# Slow: it migrates back and forth; and it needs the real migrations, which `make test-fast`
# (--nomigrations) does not build the test database from.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_chained_and_pseudonymised() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
    _migrate(BEFORE_CHAIN)
    try:
        old_apps = MigrationExecutor(connection).loader.project_state(BEFORE_CHAIN).apps
        legacy = old_apps.get_model("audit", "AuditEvent")
        service_id, patient_id = uuid.uuid4(), uuid.uuid4()
        for n, target in enumerate([service_id, None, service_id, service_id]):
            legacy.objects.create(
                occurred_at=datetime(2026, 1, 1, 9, n, tzinfo=UTC),
                service_id=target,
                actor_role="clinician",
                action="patient.viewed",
                patient_id=patient_id,
                object_type="Patient",
                object_id=str(patient_id),
                source_ip="2001:DB8::5",
                detail={"n": n, "ratio": 2.0},
            )
    finally:
        _migrate(latest)
    events = list(AuditEvent.objects.filter(service_id=service_id).order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert {(e.patient_ref, e.object_id) for e in events} == {
        (patient_ref(patient_id), patient_ref(patient_id))
    }
    assert AuditChainHead.objects.get(chain=str(service_id)).seq == 3
    assert AuditEvent.objects.get(service_id=None).seq == 1
    reports = verify_all()
    assert len(reports) == 2 and all(r.ok for r in reports), [str(r.problem) for r in reports]
