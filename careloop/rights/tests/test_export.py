"""Export everything about me (P4): complete over every inventoried record type, a valid FHIR
Bundle, nothing about anyone else, audited; only the patient themself (or a service admin on a
written request) can export."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from careloop.accounts.types import Role
from careloop.audit.keys import patient_ref
from careloop.audit.models import AuditEvent
from careloop.care.models import Patient
from careloop.core.errors import NotFound
from careloop.core.patient_data import patient_data_models, registered
from careloop.fhir.tests.fhir_assert import assert_valid_fhir
from careloop.rights.data.export import SHAPERS, export_patient
from careloop.rights.data.retention import ExportKind, rule_for
from careloop.rights.tests.records import (
    CANARY_EMAIL,
    CANARY_NAME,
    CANARY_PHONE,
    CANARY_TEXT,
    OTHER,
    seed_everything,
)
from conftest import make_user

# Record type → (FHIR type, how a seeded row's id appears as that resource's id).
ID_IN_BUNDLE = {
    "care.Patient": ("Patient", "{}"),
    "care.TreatmentEpisode": ("EpisodeOfCare", "{}"),
    "care.SteppedCareChange": ("ClinicalImpression", "{}"),
    "supervision.CaseReview": ("ClinicalImpression", "{}"),
    "ai.Prediction": ("ClinicalImpression", "{}"),
    "ai.Suggestion": ("ClinicalImpression", "{}"),
    "ai.ReviewTask": ("ClinicalImpression", "{}"),
    "assessments.Assessment": ("QuestionnaireResponse", "{}"),
    "monitoring.MeasurementPlan": ("CarePlan", "{}"),
    "monitoring.CheckIn": ("Observation", "{}"),
    "monitoring.ReminderPreference": ("Basic", "{}"),
    "journal.JournalEntry": ("Observation", "{}"),
    "messaging.Message": ("Communication", "{}"),
    "notifications.Notification": ("Communication", "{}"),
    "notifications.PushSubscription": ("Device", "{}"),
    "otp_totp.TOTPDevice": ("Device", "totp-{}"),
    "fhir.ImportedResource": ("Provenance", "{}"),
    "safety.Alert": ("Flag", "{}"),
    "safety.ReviewItem": ("Task", "{}"),
    "safety.EscalationStep": ("Communication", "{}"),
    "safety.AlertDelivery": ("Communication", "{}"),
    "safety.InboxEntry": ("Communication", "{}"),
    "safety.FallbackBanner": ("Communication", "{}"),
    "safety_planning.SafetyPlan": ("CarePlan", "{}"),
    "privacy.ConsentDecision": ("Consent", "{}"),
    "privacy.BreakGlassGrant": ("AuditEvent", "{}"),
    "audit.AuditEvent": ("AuditEvent", "{}"),
}


@pytest.fixture
def seeded(ada_patient, ben, cleo):
    made = seed_everything(ada_patient, clinician=ben, admin=cleo)
    ada_patient.refresh_from_db()
    return made


@pytest.fixture
def bob_patient(service, north) -> Patient:
    user = make_user(service, "bob", Role.PATIENT)
    return Patient.objects.create(
        service=service, user=user, care_team=north, display_name="Bob Other", birth_year=1970
    )


def _resources(bundle):
    return [entry["resource"] for entry in bundle["entry"]]


def test_bundle_is_complete_valid_and_only_about_the_patient(
    seeded, ada_patient, bob_patient, ben, cleo
):
    # The other patient has records of every type too, with his own canaries.
    seed_everything(bob_patient, clinician=ben, admin=cleo, canaries=OTHER)

    bundle = export_patient(ada_patient.user, ada_patient)

    assert bundle["type"] == "collection"
    assert_valid_fhir(bundle, resource_type="Bundle")
    present = {(r["resourceType"], r["id"]) for r in _resources(bundle)}
    for label, ids in seeded.items():
        if rule_for(label).export != ExportKind.RESOURCE:
            continue  # carried inside another record type's resources, or a credential
        fhir_type, pattern = ID_IN_BUNDLE[label]
        for row_id in ids:
            assert (fhir_type, pattern.format(row_id)) in present, (label, row_id)
    text = json.dumps(bundle)
    for canary in (CANARY_NAME, CANARY_EMAIL, CANARY_PHONE, CANARY_TEXT):
        assert canary in text  # name, contact details and free text all travel
    assert str(bob_patient.id) not in text  # 0 records of any other patient
    assert not [value for value in OTHER.all() if value in text]


def test_every_inventoried_record_type_has_an_exporter_and_a_rule(seeded):
    """A table of patient data added later fails here until it is classified, exported and
    seeded (so the completeness and erasure tests cover it too)."""
    for label in patient_data_models():
        rule = rule_for(label)
        if rule.export == ExportKind.NONE:
            continue
        entry = registered()[label]
        exported = (label in SHAPERS and entry.rows) or entry.part_of in SHAPERS
        carried = rule.export in (ExportKind.COPY, ExportKind.CREDENTIAL)
        assert exported or carried, f"{label} is patient data but is not exported"
        assert label in seeded, f"seed a {label} row in careloop/rights/tests/records.py"
        if rule.export == ExportKind.RESOURCE:
            assert label in ID_IN_BUNDLE, f"say how a {label} row appears in the Bundle"


def test_export_is_audited_with_counts_only(seeded, ada_patient):
    bundle = export_patient(ada_patient.user, ada_patient)
    event = AuditEvent.objects.filter(
        action="rights.exported", patient_ref=patient_ref(ada_patient.id)
    ).get()
    assert event.actor_id == ada_patient.user_id
    assert event.purpose == "PATRQT"
    assert event.detail["resources"] == len(bundle["entry"])
    assert CANARY_NAME not in json.dumps(event.detail)


def test_only_the_patient_or_a_service_admin_may_export(ada_patient, bob_patient, ben, cleo):
    with pytest.raises(NotFound):
        export_patient(bob_patient.user, ada_patient)  # another patient
    with pytest.raises(NotFound):
        export_patient(ben, ada_patient)  # her own clinician: the FHIR API is for care
    assert export_patient(cleo, ada_patient)["type"] == "collection"


def test_download_page_and_api(seeded, ada, as_user, dana):
    client = as_user(ada)
    response = client.get("/me/data/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content)["resourceType"] == "Bundle"
    api = client.get("/api/me/data/export")
    assert api.status_code == 200
    assert api.json()["type"] == "collection"
    assert as_user(dana).get("/me/data/export.json").status_code == 404
    assert as_user(dana).get("/api/me/data/export").status_code == 404


def test_readable_page_groups_everything(seeded, ada, as_user):
    page = as_user(ada).get("/me/data/")
    assert page.status_code == 200
    html = page.content.decode()
    for heading in (
        "My details",
        "My questionnaire results",
        "My check-ins",
        "My journal",
        "My safety plan",
        "Safety alerts about me",
        "Who looked at my record",
        "My consent choices",
    ):
        assert heading in html
    assert CANARY_TEXT in html
    assert "Your answers suggest" in html  # the score's plain meaning
    # Consent choices in words, never the purpose and stream codes (docs/patient-wording.md).
    assert "Your questionnaire answers and scores for research" in html
    assert "HRESCH" not in html
    assert "/ questionnaires" not in html


def test_staff_command_exports_on_a_written_request(seeded, ada_patient, cleo, tmp_path: Path):
    out = tmp_path / "export.json"
    stdout = StringIO()
    call_command(
        "patient", "export", str(ada_patient.id), "--by", "cleo", "--out", str(out), stdout=stdout
    )
    bundle = json.loads(out.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    assert "resources" in stdout.getvalue()
    with pytest.raises(CommandError):
        call_command("patient", "export", str(ada_patient.id), "--by", "ben", "--out", str(out))
