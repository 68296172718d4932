"""audit.services.linked_at_end: events recorded in the block join their chains when it ends,
in the order recorded, inside the caller's transaction; the chain verifies as before."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction

from careloop.audit import chain
from careloop.audit.models import AuditChainHead, AuditEvent
from careloop.audit.services import linked_at_end, record_event, record_patient_reads
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.audit.verification import verify_all
from careloop.core.models import Service


@pytest.fixture
def other_service(db) -> Service:
    return Service.objects.create(slug="other-service", name="Other service")


def _chain(service_id: uuid.UUID | None) -> list[tuple[int, str]]:
    return [
        (event.seq, event.action)
        for event in AuditEvent.objects.filter(service_id=service_id).order_by("seq")
    ]


def test_events_wait_until_the_block_ends_then_link_in_order(
    service, other_service, ben, ada_patient
) -> None:
    record_event(actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=service.id)
    with transaction.atomic(), linked_at_end():
        first = record_event(actor=ben, action=AuditAction.ALERTS_VIEWED, service_id=service.id)
        record_event(actor=ben, action=AuditAction.PATIENT_VIEWED, service_id=other_service.id)
        with linked_at_end():  # nested: the outer block links everything
            record_patient_reads(
                actor=ben,
                action=AuditAction.PATIENT_VIEWED,
                service_id=service.id,
                patient_ids=[ada_patient.id],
                purpose=PurposeOfUse.TREAT,
            )
        assert first.pk is None or not AuditEvent.objects.filter(pk=first.pk).exists()
        assert AuditChainHead.objects.get(chain=str(service.id)).seq == 1  # not locked yet
    assert _chain(service.id) == [
        (1, "patient.viewed"),
        (2, "alert.viewed"),
        (3, "patient.viewed"),
    ]
    assert _chain(other_service.id) == [(1, "patient.viewed")]
    assert first.seq == 2 and AuditEvent.objects.filter(pk=first.pk).exists()
    events = list(AuditEvent.objects.filter(service_id=service.id).order_by("seq"))
    assert events[0].prev_hash == chain.GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.record_hash for e in events[:-1]]
    head = AuditChainHead.objects.get(chain=str(service.id))
    assert (head.seq, head.last_hash) == (3, events[-1].record_hash)
    assert all(report.ok for report in verify_all())


def test_a_failing_block_appends_nothing(service, ben) -> None:
    with pytest.raises(RuntimeError, match="caller failed"):
        _record_then_fail(ben, service.id)
    record_event(actor=ben, action=AuditAction.ALERTS_VIEWED, service_id=service.id)
    assert _chain(service.id) == [(1, "alert.viewed")]
    assert all(report.ok for report in verify_all())


def _record_then_fail(actor, service_id: uuid.UUID) -> None:
    with transaction.atomic(), linked_at_end():
        record_event(actor=actor, action=AuditAction.PATIENT_VIEWED, service_id=service_id)
        raise RuntimeError("caller failed")
