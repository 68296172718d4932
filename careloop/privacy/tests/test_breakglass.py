"""Break-glass (reliability_security.md A5): a reason is required, access lasts 60 minutes, the
team's supervisor is told in the same transaction, and every step is audited with DICOM 110127
and purpose ETREAT, including a stop event."""

from __future__ import annotations

from datetime import timedelta

import pytest

from careloop.audit.models import AuditEvent
from careloop.audit.selectors import events_for_patient
from careloop.care.selectors import (
    break_glass_candidate,
    patient_visible_to,
    patients_visible_to,
)
from careloop.core import clock
from careloop.core.errors import InvalidInput, NotFound
from careloop.core.worker import registered_jobs
from careloop.notifications.models import Notification
from careloop.privacy import breakglass
from careloop.privacy.models import BreakGlassGrant
from careloop.privacy.types import GrantEnding

REASON = "Patient presented at A&E out of hours; own team unreachable."


@pytest.fixture
def frozen(monkeypatch):
    moment = {"now": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])

    def advance(minutes: int) -> None:
        moment["now"] += timedelta(minutes=minutes)

    return advance


def test_a_reason_is_required(dana, ada_patient) -> None:
    for reason in ("", "   ", "urgent"):
        with pytest.raises(InvalidInput):
            breakglass.start(actor=dana, patient=ada_patient, reason=reason)
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="privacy.break_glass").exists()


def test_only_clinicians_outside_the_team_of_the_same_service_can_start(
    ben, dana, cleo, ada_patient
) -> None:
    with pytest.raises(InvalidInput):
        break_glass_candidate(ben, ada_patient.id)  # already in the team
    with pytest.raises(NotFound):
        break_glass_candidate(cleo, ada_patient.id)  # not a clinician
    assert break_glass_candidate(dana, ada_patient.id) == ada_patient
    with pytest.raises(NotFound):
        breakglass.start(actor=cleo, patient=ada_patient, reason=REASON)


def test_grant_opens_one_patient_for_sixty_minutes_then_404(dana, ada_patient, frozen) -> None:
    with pytest.raises(NotFound):
        patient_visible_to(dana, ada_patient.id)
    grant = breakglass.start(actor=dana, patient=ada_patient, reason=REASON)
    assert grant.expires_at - grant.started_at == timedelta(minutes=60)
    assert patient_visible_to(dana, ada_patient.id) == ada_patient
    assert list(patients_visible_to(dana)) == [ada_patient]
    frozen(59)
    assert patient_visible_to(dana, ada_patient.id) == ada_patient
    frozen(2)  # 61 minutes
    with pytest.raises(NotFound):
        patient_visible_to(dana, ada_patient.id)
    assert not patients_visible_to(dana).exists()


def test_start_read_and_stop_are_audited_with_110127_and_etreat(dana, ada_patient, frozen) -> None:
    grant = breakglass.start(actor=dana, patient=ada_patient, reason=REASON)
    patient_visible_to(dana, ada_patient.id)
    frozen(61)
    assert registered_jobs()["privacy.close_expired_break_glass"]() == 1
    assert registered_jobs()["privacy.close_expired_break_glass"]() == 0  # once only
    events = list(
        events_for_patient(service_id=ada_patient.service_id, patient_id=ada_patient.id).filter(
            action__startswith="privacy.break_glass"
        )
    )
    assert sorted(e.action for e in events) == [
        "privacy.break_glass_ended",
        "privacy.break_glass_read",
        "privacy.break_glass_started",
    ]
    for event in events:
        assert event.purpose == "ETREAT"
        assert event.detail["dicom_subtype"] == "110127"
        assert event.detail["grant_id"] == str(grant.id)
        assert REASON not in str(event.detail)  # the reason stays in the encrypted grant
    ended = next(e for e in events if e.action == "privacy.break_glass_ended")
    assert ended.detail["ending"] == "expired"
    grant.refresh_from_db()
    assert grant.ending == GrantEnding.EXPIRED and grant.ended_at == grant.expires_at


def test_supervisor_and_privacy_officer_are_notified_in_the_same_transaction(
    dana, sam, cleo, ada_patient
) -> None:
    grant = breakglass.start(actor=dana, patient=ada_patient, reason=REASON)
    notified = Notification.objects.filter(idempotency_key__startswith=f"breakglass:{grant.id}")
    assert {n.recipient_id for n in notified} == {sam.id, cleo.id}
    assert all("Ada" not in n.body and REASON not in n.body for n in notified)


def test_failure_after_the_grant_rolls_everything_back(dana, ada_patient, monkeypatch) -> None:
    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(breakglass, "record_event", broken)
    with pytest.raises(RuntimeError):
        breakglass.start(actor=dana, patient=ada_patient, reason=REASON)
    assert not BreakGlassGrant.objects.exists()
    assert not Notification.objects.exists()


def test_ending_early_closes_access_at_once(dana, ben, ada_patient) -> None:
    grant = breakglass.start(actor=dana, patient=ada_patient, reason=REASON)
    with pytest.raises(NotFound):
        breakglass.end(actor=ben, grant_id=grant.id)  # not Ben's grant
    breakglass.end(actor=dana, grant_id=grant.id)
    with pytest.raises(NotFound):
        patient_visible_to(dana, ada_patient.id)
    ended = AuditEvent.objects.get(action="privacy.break_glass_ended")
    assert ended.detail["ending"] == "ended"
    assert ended.actor_id == dana.id


def test_reason_is_encrypted_at_rest(dana, ada_patient) -> None:
    from django.db import connection

    grant = breakglass.start(actor=dana, patient=ada_patient, reason=REASON)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM privacy_breakglassgrant WHERE id = %s", [grant.id.hex])
        rows = cursor.fetchall()
    if not rows:  # PostgreSQL stores uuid natively
        with connection.cursor() as cursor:
            cursor.execute("SELECT reason FROM privacy_breakglassgrant")
            rows = cursor.fetchall()
    assert REASON not in rows[0][0]
    assert BreakGlassGrant.objects.get(id=grant.id).reason == REASON


def test_emergency_access_is_read_only(as_user, dana, ada_patient) -> None:
    """Break-glass opens the record to read (and to raise an alert), never to change plans."""
    breakglass.start(actor=dana, patient=ada_patient, reason=REASON)
    client = as_user(dana)
    assert client.get(f"/api/patients/{ada_patient.id}/plan").status_code == 200
    plan_change = client.put(
        f"/api/patients/{ada_patient.id}/plan/items/gad7",
        {"every_days": 14, "overdue_after_days": 5},
        content_type="application/json",
    )
    assert plan_change.status_code == 403
    assert "read-only" in plan_change.json()["detail"]
    safety_plan = client.put(
        f"/api/patients/{ada_patient.id}/safety-plan",
        {"base_version": 0, "sections": {"warning_signs": [{"text": "I stop sleeping"}]}},
        content_type="application/json",
    )
    assert safety_plan.status_code == 403
    page = client.post(f"/patients/{ada_patient.id}/plan/gad7/", {"every_days": "14"})
    assert page.status_code == 403
