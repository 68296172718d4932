"""The patient's privacy pages, 'who accessed my data', and break-glass end to end (A4, A5)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.audit.models import AuditEvent
from careloop.core import clock
from careloop.core.worker import registered_jobs
from careloop.notifications.models import Notification
from careloop.privacy import breakglass
from careloop.privacy.models import BreakGlassGrant, ConsentDecision

REASON = "Presented in crisis at the walk-in centre; Team North unreachable."


@pytest.fixture
def ada_phq9(ada, ada_patient):
    import uuid

    assessment, _ = submit_assessment(
        ada_patient, actor=ada, instrument_id="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 0],
        client_id=uuid.uuid4(), source=SubmissionSource.WEB,
    )  # fmt: skip
    return assessment


def _withdraw(client: Client, stream: str = "questionnaires", purpose: str = "TREAT"):
    return client.post(
        "/me/privacy/decide/", {"purpose": purpose, "stream": stream, "choice": "withdrawn"}
    )


def test_withdrawal_in_one_session_blocks_reads_in_other_open_sessions_at_once(
    as_user, ada, ben, ada_patient, ada_phq9
) -> None:
    """A4: the clinician's session and the patient's other browser were open before the change;
    their very next request sees it (consent is read from the database on every request)."""
    ben_session = as_user(ben)
    laptop, phone = as_user(ada), as_user(ada)
    history = f"/api/patients/{ada_patient.id}/assessments"
    assert str(ada_phq9.id) in ben_session.get(history).content.decode()
    assert (
        "Switch off: stop sharing your questionnaire" in phone.get("/me/privacy/").content.decode()
    )

    response = _withdraw(laptop)
    assert response.status_code == 302

    assert str(ada_phq9.id) not in ben_session.get(history).content.decode()
    page = ben_session.get(f"/patients/{ada_patient.id}/")
    assert page.status_code == 200 and str(ada_phq9.id) not in page.content.decode()
    assert "Switch on: share your questionnaire" in phone.get("/me/privacy/").content.decode()
    # The patient's own access is never affected by what they share with others.
    assert (
        str(ada_phq9.id)
        in laptop.get(f"/api/patients/{ada_patient.id}/assessments").content.decode()
    )

    # Sharing again applies just as fast, and both decisions are receipted and audited.
    laptop.post(
        "/me/privacy/decide/",
        {"purpose": "TREAT", "stream": "questionnaires", "choice": "given"},
    )
    assert str(ada_phq9.id) in ben_session.get(history).content.decode()
    receipts = list(ConsentDecision.objects.values_list("receipt", flat=True))
    assert len(receipts) == 2
    page = phone.get("/me/privacy/").content.decode()
    assert all(receipt in page for receipt in receipts)
    assert AuditEvent.objects.filter(action="privacy.consent_withdrawn").count() == 1


def test_privacy_page_shows_every_choice_with_its_text_and_the_safety_exception(
    as_user, ada
) -> None:
    page = as_user(ada).get("/me/privacy/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    text = page.content.decode()
    for heading in ("Used for your care", "Used for research", "Used for training computer"):
        assert heading in text
    assert "an alert goes to them so they can check you are safe" in text
    assert "part of receiving care" in text  # the safety stream cannot be switched off


def test_required_choices_cannot_be_switched_off(as_user, ada) -> None:
    client = as_user(ada)
    client.get("/me/privacy/")
    _withdraw(client, stream="safety")
    assert not ConsentDecision.objects.exists()


def test_privacy_pages_are_for_patients_only(as_user, ben, dana) -> None:
    for user in (ben, dana):
        client = as_user(user)
        assert client.get("/me/privacy/").status_code == 404
        assert client.get("/me/access/").status_code == 404
        assert client.get("/api/me/consents").status_code == 404


def test_who_accessed_my_data_in_plain_language(as_user, ada, ben, ada_patient) -> None:
    as_user(ben).get(f"/patients/{ada_patient.id}/")
    page = as_user(ada).get("/me/access/").content.decode()
    assert "ben (your clinician) opened your record on" in page
    assert "for your care." in page
    log = as_user(ada).get("/api/me/access-log").json()
    assert any(
        line["sentence"].startswith("ben (your clinician) opened your record") for line in log
    )


def test_unknown_actions_still_appear_with_a_generic_sentence(
    as_user, ada, ben, ada_patient
) -> None:
    from careloop.audit.services import record_event

    # Not an AuditAction member: as if written by a later version (the page must still show it).
    record_event(
        actor=ben, action="future.something_new", service_id=ada_patient.service_id,  # type: ignore[arg-type]
        patient_id=ada_patient.id, purpose="TREAT",
    )  # fmt: skip
    log = as_user(ada).get("/api/me/access-log").json()
    assert log[0]["action"] == "future.something_new"
    assert log[0]["sentence"].startswith("ben (your clinician) used your record on")


def test_consents_api_and_fhir_consent_bundle(as_user, ada) -> None:
    from fhir.resources.R4B.consent import Consent

    client = as_user(ada)
    choices = client.get("/api/me/consents").json()
    research = next(c for c in choices if (c["purpose"], c["stream"]) == ("HRESCH", "checkins"))
    assert research["permitted"] is False and research["basis"] == "opt_in"
    made = client.post(
        "/api/me/consents",
        json.dumps({"purpose": "HRESCH", "stream": "checkins", "choice": "given",
                    "document_version": research["document_version"]}),
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201 and made.json()["receipt"].startswith("CR-")
    bundle = client.get("/api/me/consents/fhir").json()
    resources = [entry["resource"] for entry in bundle["entry"]]
    for resource in resources:
        Consent.model_validate(resource)  # valid FHIR
    given = next(
        r for r in resources if r["provision"]["purpose"][0]["code"] == "HRESCH"
        and r["provision"]["class"][0]["code"] == "checkins"
    )  # fmt: skip
    assert given["provision"]["type"] == "permit"
    assert given["identifier"][0]["value"] == made.json()["receipt"]


# --- Break-glass, end to end ------------------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch):
    moment = {"now": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])

    def advance(minutes: int) -> None:
        moment["now"] += timedelta(minutes=minutes)

    return advance


def test_break_glass_end_to_end(as_user, ada, dana, sam, ada_patient, frozen) -> None:
    dana_client = as_user(dana)
    record = f"/patients/{ada_patient.id}/"
    assert dana_client.get(record).status_code == 404

    # No reason, no access.
    refused = dana_client.post(
        "/me/access/emergency/", {"patient_id": str(ada_patient.id), "reason": ""}
    )
    assert refused.status_code == 422 and not BreakGlassGrant.objects.exists()

    started = dana_client.post(
        "/me/access/emergency/", {"patient_id": str(ada_patient.id), "reason": REASON}
    )
    assert started.status_code == 302 and started["Location"] == record
    assert dana_client.get(record).status_code == 200
    banner = dana_client.get("/me/access/emergency/").content.decode()
    assert "60 minutes left" in banner

    # The supervisor of Ada's team is told, and sees the reason on the review page.
    assert Notification.objects.filter(recipient=sam, subject__icontains="emergency").exists()
    review = as_user(sam).get("/me/access/emergency/review/").content.decode()
    assert REASON in review and "Ada Test" in review

    # The patient sees it, prominently.
    log = as_user(ada).get("/me/access/").content.decode()
    assert "Emergency access to your record" in log
    assert "viewed your record under EMERGENCY ACCESS" in log

    for _ in range(4):  # stay active: staff sessions end after 15 idle minutes
        frozen(10)
        assert dana_client.get(record).status_code == 200
    frozen(5)
    assert "15 minutes left" in dana_client.get("/me/access/emergency/").content.decode()
    frozen(10)
    assert dana_client.get(record).status_code == 200
    frozen(6)  # 61 minutes
    assert dana_client.get(record).status_code == 404
    assert dana_client.get(f"/api/patients/{ada_patient.id}/safety-plan").status_code == 404
    registered_jobs()["privacy.close_expired_break_glass"]()

    events = AuditEvent.objects.filter(action__startswith="privacy.break_glass_").exclude(
        action="privacy.break_glass_reviewed"
    )
    assert {e.action for e in events} == {
        "privacy.break_glass_started",
        "privacy.break_glass_read",
        "privacy.break_glass_ended",
    }
    assert all(e.purpose == "ETREAT" and e.detail["dicom_subtype"] == "110127" for e in events)


def test_break_glass_can_be_ended_early_from_the_banner(as_user, dana, ada_patient) -> None:
    client = as_user(dana)
    client.post("/me/access/emergency/", {"patient_id": str(ada_patient.id), "reason": REASON})
    grant = BreakGlassGrant.objects.get()
    assert client.post(f"/me/access/emergency/{grant.id}/end/").status_code == 302
    assert client.get(f"/patients/{ada_patient.id}/").status_code == 404


def test_break_glass_api(as_user, dana, ben, ada_patient) -> None:
    client = as_user(dana)
    body = json.dumps({"patient_id": str(ada_patient.id), "reason": REASON})
    made = client.post("/api/break-glass", body, content_type="application/json")
    assert made.status_code == 201
    assert [g["id"] for g in client.get("/api/break-glass").json()] == [made.json()["id"]]
    own_team = as_user(ben).post("/api/break-glass", body, content_type="application/json")
    assert own_team.status_code == 422  # already in the team: open the record directly
    ended = client.post(f"/api/break-glass/{made.json()['id']}/end")
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None


def test_break_glass_is_not_for_patients_or_admins(as_user, ada, cleo, ada_patient) -> None:
    for user in (ada, cleo):
        response = as_user(user).post(
            "/me/access/emergency/", {"patient_id": str(ada_patient.id), "reason": REASON}
        )
        assert response.status_code == 404


def test_emergency_access_banner_follows_the_clinician_to_every_page(
    as_user, dana, ben, ada_patient, frozen
) -> None:
    """The time-boxed grant and its time left are visible wherever the clinician goes."""
    client = as_user(dana)
    assert "Emergency access is open" not in client.get("/caseload/").content.decode()
    breakglass.start(actor=dana, patient=ada_patient, reason="Seen in A&E, team unreachable")
    frozen(10)  # (less than the 15-minute idle sign-out of staff sessions)
    for path in ("/caseload/", f"/patients/{ada_patient.id}/", "/alerts/"):
        page = client.get(path).content.decode()
        assert "Emergency access is open" in page, path
        assert "50 minutes left" in page, path
    # The care team without a grant sees no such banner.
    assert "Emergency access is open" not in as_user(ben).get("/caseload/").content.decode()
