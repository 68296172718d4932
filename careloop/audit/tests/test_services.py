"""Writing the chain: one chain per service, patients only as keyed HMACs, rows never rewritten."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, transaction

from careloop.audit import chain
from careloop.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from careloop.audit.selectors import events_for_patient, patient_ref
from careloop.audit.services import record_event, record_patient_reads
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.audit.verification import verify_all
from careloop.core.models import Service


@pytest.fixture
def other_service(db) -> Service:
    return Service.objects.create(slug="other-service", name="Other service")


def _chain(service_id: uuid.UUID | None) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(service_id=service_id).order_by("seq"))


def test_each_service_has_its_own_chain_and_system_events_theirs(
    service, other_service, ben
) -> None:
    for target in (service, other_service, service, None, service):
        record_event(
            actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=target.id if target else None
        )
    mine, theirs, system = _chain(service.id), _chain(other_service.id), _chain(None)
    assert [e.seq for e in mine] == [1, 2, 3] and [e.seq for e in theirs] == [1]
    assert [e.seq for e in system] == [1]
    assert mine[0].prev_hash == chain.GENESIS_HASH
    assert [e.prev_hash for e in mine[1:]] == [e.record_hash for e in mine[:-1]]
    head = AuditChainHead.objects.get(chain=str(service.id))
    assert (head.seq, head.last_hash) == (3, mine[-1].record_hash)
    reports = verify_all()
    assert reports[0].chain == chain.SYSTEM_CHAIN
    assert all(r.ok for r in reports) and sum(r.records for r in reports) == 5


def test_patients_are_stored_only_as_keyed_hmacs(service, ben, ada_patient) -> None:
    event = record_event(
        actor=ben,
        action=AuditAction.PATIENT_VIEWED,
        service_id=service.id,
        patient_id=ada_patient.id,
        purpose=PurposeOfUse.TREAT,
        obj=("Patient", ada_patient.id),
        detail={"view": "summary"},
    )
    ref = patient_ref(ada_patient.id)
    assert event.patient_ref == ref == chain.pseudonym(_key(), ada_patient.id)
    assert event.object_id == ref
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert str(ada_patient.id) not in stored and ada_patient.id.hex not in stored


def _key() -> bytes:
    from pathlib import Path

    from django.conf import settings

    return Path(settings.AUDIT_PSEUDONYM_KEY_FILE).read_bytes().strip()


def test_list_reads_are_chained_in_one_insert(service, ben, ada_patient) -> None:
    others = [uuid.uuid4() for _ in range(3)]
    count = record_patient_reads(
        actor=ben,
        action=AuditAction.CASELOAD_VIEWED,
        service_id=service.id,
        patient_ids=[ada_patient.id, *others],
        purpose=PurposeOfUse.TREAT,
    )
    assert count == 4
    events = _chain(service.id)
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert [e.patient_ref for e in events] == [patient_ref(p) for p in [ada_patient.id, *others]]
    assert all(e.object_id == e.patient_ref and e.object_type == "Patient" for e in events)
    assert (
        record_patient_reads(
            actor=ben,
            action=AuditAction.CASELOAD_VIEWED,
            service_id=service.id,
            patient_ids=[],
            purpose=PurposeOfUse.TREAT,
        )
        == 0
    )
    assert all(r.ok for r in verify_all(service.id))


def test_an_event_rolls_back_with_its_transaction_and_the_chain_stays_whole(service, ben) -> None:
    record_event(actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    with pytest.raises(RuntimeError, match="caller failed"):
        _record_then_fail(ben, service.id)
    record_event(actor=ben, action=AuditAction.ALERTS_VIEWED, service_id=service.id)
    assert [(e.seq, e.action) for e in _chain(service.id)] == [
        (1, "patient.viewed"),
        (2, "alert.viewed"),
    ]
    assert AuditChainHead.objects.get(chain=str(service.id)).seq == 2
    assert all(r.ok for r in verify_all())


def _record_then_fail(actor, service_id: uuid.UUID) -> None:
    with transaction.atomic():
        record_event(actor=actor, action=AuditAction.PATIENT_VIEWED, service_id=service_id)
        raise RuntimeError("caller failed")


def test_values_the_database_respells_still_verify(service, ben) -> None:
    """PostgreSQL's inet and jsonb give some values back spelled differently."""
    record_event(
        actor=ben,
        action=AuditAction.SIGNED_IN,
        service_id=service.id,
        source_ip="2001:DB8:0:0::1",
        detail={"ratio": 1.0, "big": 1e20, "small": 1.5e-7, "codes": ("a", "b"), "ok": True},
    )
    record_event(actor=None, action=AuditAction.SIGNED_IN, service_id=None, source_ip="192.0.2.1")
    stored = AuditEvent.objects.get(service_id=service.id)
    assert stored.source_ip == "2001:db8::1" and stored.actor_role == "clinician"
    assert AuditEvent.objects.get(service_id=None).actor_role == "system"
    assert all(r.ok for r in verify_all()), [str(r.problem) for r in verify_all()]


def test_who_accessed_my_data_is_newest_first_and_only_mine(
    service, other_service, ben, sam, ada_patient
) -> None:
    record_event(
        actor=ben,
        action=AuditAction.PATIENT_VIEWED,
        service_id=service.id,
        patient_id=ada_patient.id,
    )
    record_event(
        actor=sam,
        action=AuditAction.ALERTS_VIEWED,
        service_id=service.id,
        patient_id=ada_patient.id,
    )
    record_event(
        actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=service.id, patient_id=uuid.uuid4()
    )
    record_event(
        actor=ben,
        action=AuditAction.PATIENT_VIEWED,
        service_id=other_service.id,
        patient_id=ada_patient.id,
    )
    events = list(events_for_patient(service_id=service.id, patient_id=ada_patient.id))
    assert [(e.actor.username, e.action) for e in events] == [
        ("sam", "alert.viewed"),
        ("ben", "patient.viewed"),
    ]


def test_the_orm_never_rewrites_audit_rows(service, ben) -> None:
    event = record_event(actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEvent.objects.filter(id=event.id).update(action="x.y")
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEvent.objects.all().delete()
    with pytest.raises(RuntimeError, match="append-only"):
        AuditCheckpoint.objects.all().delete()
