"""Erasure end to end (P5): a patient seeded with canaries in every record type asks on her page,
a service admin carries it out; afterwards a scan of every column of every table finds her
identifiers only in the legal-hold stores listed here, she cannot sign in, the other patient is
untouched and the audit hash chain still verifies."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.audit.models import AuditEvent
from careloop.audit.selectors import events_for_patient
from careloop.audit.verification import verify_all
from careloop.care.models import Patient
from careloop.core.errors import Conflict, InvalidInput, NotFound
from careloop.core.patient_data import patient_data_models
from careloop.rights.data.erasure import erase_patient, request_erasure
from careloop.rights.data.export import export_patient
from careloop.rights.data.retention import Disposition, rule_for
from careloop.rights.tests.records import ADA, OTHER, canary_hits, seed_everything
from careloop.safety.models import Alert
from careloop.safety.types import AlertStatus
from conftest import PASSWORD, make_user

# Where the law makes us keep a patient's words after erasure (retention.py: LEGAL_HOLD).
LEGAL_HOLD_STORES = {
    "safety.Alert",  # the clinician's outcome note of a closed alert
    "safety.ReviewItem",  # the clinician's note of a completed risk review
    "safety_planning.SafetyPlanVersion",  # the safety plan, in the patient's words
    "privacy.BreakGlassGrant",  # the reason given for emergency access
}


@pytest.fixture
def bob_patient(service, north) -> Patient:
    user = make_user(service, "bob", Role.PATIENT)
    return Patient.objects.create(
        service=service, user=user, care_team=north, display_name="Bob", birth_year=1970
    )


@pytest.fixture
def seeded(ada_patient, bob_patient, ben, cleo):
    made = seed_everything(ada_patient, clinician=ben, admin=cleo)
    seed_everything(bob_patient, clinician=ben, admin=cleo, canaries=OTHER)
    ada_patient.refresh_from_db()
    return made


def _rows_of(label: str, ids: list[object]) -> int:
    model = patient_data_models()[label]
    return model._default_manager.filter(pk__in=ids).count()


def test_erasure_end_to_end(seeded, ada, ada_patient, cleo, as_user):
    before = {label for label, _ in canary_hits(ADA.all())}
    # The scan sees every store the seed wrote a canary to, so it can fail.
    assert before >= LEGAL_HOLD_STORES | {
        "care.Patient",
        "accounts.User",
        "monitoring.CheckIn",
        "journal.JournalEntry",
        "messaging.Message",
        "notifications.Notification",
        "fhir.ImportedResource",
        "fhir.ExportPart",
    }
    other_before = canary_hits(OTHER.all())
    ada_client = as_user(ada)

    page = ada_client.get("/me/data/erase/")
    assert "kept under legal hold" in page.content.decode()
    # Tables that share a plain name (the five OAuth key tables) are one line for the patient.
    erased_list = page.content.decode().split("What will be erased")[1].split("</ul>")[0]
    items = re.findall(r"<li>(.*?)</li>", erased_list)
    assert items and len(items) == len(set(items))
    assert ada_client.post("/me/data/erase/", {"confirm": "yes"}).status_code == 302
    receipt = erase_patient(cleo, ada_patient.id)

    # 0 identifiers outside the documented legal-retention stores
    after = {label for label, _ in canary_hits(ADA.all())}
    assert after <= LEGAL_HOLD_STORES, after - LEGAL_HOLD_STORES
    # every row: erased, or kept because the policy says so
    for label, ids in seeded.items():
        disposition = rule_for(label).disposition
        remaining = _rows_of(label, ids)
        if disposition == Disposition.ERASE:
            held = receipt.kept.get(label, 0)
            assert remaining == held, (label, remaining)
        else:
            assert remaining == len(ids), (label, remaining)
    assert receipt.kept["assessments.Assessment"] == 1  # the questionnaire that raised the alert
    # the tombstone and the closed login
    ada_patient.refresh_from_db()
    assert ada_patient.erased_at is not None
    assert ada_patient.display_name == "" and ada_patient.birth_year is None
    assert ada_patient.legal_hold_until is not None
    assert ada_patient.legal_hold_until > ada_patient.erased_at
    account = User.objects.get(id=ada.id)
    assert not account.is_active and not account.has_usable_password()
    sign_in = Client()
    sign_in.post(reverse("accounts:login"), {"username": ADA.username, "password": PASSWORD})
    assert "_auth_user_id" not in sign_in.session
    assert ada_client.get("/me/data/").status_code == 302  # her session is gone: sign in again
    with pytest.raises(NotFound):
        export_patient(cleo, ada_patient)  # nothing identifiable is left to export
    # the other patient is untouched
    assert canary_hits(OTHER.all()) == other_before
    # the audit trail: pseudonymous, complete and still a valid chain
    events = events_for_patient(service_id=ada_patient.service_id, patient_id=ada_patient.id)
    assert set(events.values_list("action", flat=True)) >= {
        "rights.erasure_requested",
        "rights.erased",
    }
    erased_event = events.get(action="rights.erased")
    assert erased_event.detail["written_request"] is False
    assert len(erased_event.detail["consent_receipts"]) == 1
    assert all(report.ok for report in verify_all()), [str(r.problem) for r in verify_all()]
    out = StringIO()
    call_command("audit", "verify", stdout=out)


def test_erasure_waits_for_open_safety_alerts(seeded, ada_patient, cleo):
    Alert.objects.filter(patient=ada_patient).update(status=AlertStatus.ACKNOWLEDGED)
    with pytest.raises(Conflict):
        erase_patient(cleo, ada_patient.id, written_request=True)
    ada_patient.refresh_from_db()
    assert ada_patient.erased_at is None
    assert ada_patient.display_name == ADA.name  # nothing changed: one transaction


def test_only_a_service_admin_erases_and_only_on_request(seeded, ada, ada_patient, ben, cleo):
    with pytest.raises(NotFound):
        erase_patient(ben, ada_patient.id, written_request=True)
    with pytest.raises(InvalidInput):
        erase_patient(cleo, ada_patient.id)  # nobody asked
    with pytest.raises(NotFound):
        request_erasure(ben, ada_patient)  # only the patient asks for themself
    assert erase_patient(cleo, ada_patient.id, written_request=True).erased
    with pytest.raises(NotFound):
        erase_patient(cleo, ada_patient.id, written_request=True)  # already erased


def test_request_can_be_withdrawn_on_the_page_and_the_api(ada, ada_patient, as_user):
    client = as_user(ada)
    unconfirmed = client.post("/me/data/erase/", {})
    assert unconfirmed.status_code == 422 and b"Tick the box" in unconfirmed.content
    assert client.post("/api/me/data/erasure").status_code == 202
    ada_patient.refresh_from_db()
    assert ada_patient.erasure_requested_at is not None
    assert client.get("/api/me/data/erasure").json()["requested_at"] is not None
    client.post("/me/data/erase/", {"action": "withdraw"})
    ada_patient.refresh_from_db()
    assert ada_patient.erasure_requested_at is None
    actions = AuditEvent.objects.filter(action__startswith="rights.erasure_request")
    assert actions.count() == 2


def test_command_dry_run_then_erase(seeded, ada_patient, cleo):
    out = StringIO()
    args = ["patient", "erase", str(ada_patient.id), "--by", "cleo"]
    call_command(*args, stdout=out)
    assert "dry run" in out.getvalue()
    assert Patient.objects.get(id=ada_patient.id).erased_at is None
    with pytest.raises(CommandError):
        call_command(*args, "--confirm")  # no request on her page, none in writing
    out = StringIO()
    call_command(*args, "--confirm", "--written-request", stdout=out)
    receipt = json.loads(out.getvalue())
    assert receipt["kept_under_legal_hold"]["safety.Alert"] == 1
    assert Patient.objects.get(id=ada_patient.id).erased_at is not None
