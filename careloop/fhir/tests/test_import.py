"""`careloop fhir import`: the Synthea bundles load whole, with provenance, or not at all."""

from __future__ import annotations

import copy
import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from careloop.accounts import mfa
from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.assessments.models import Assessment
from careloop.assessments.types import SubmissionSource
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.care.models import Patient, TeamMembership
from careloop.fhir.models import ImportedResource
from careloop.fhir.tests.conftest import FhirTestClient

BUNDLES = Path(__file__).resolve().parents[4] / "shared" / "data" / "synthea_fhir_r4_bundles"
SUPPORT = [BUNDLES / "bundles" / "hospitalInformation.json",
           BUNDLES / "bundles" / "practitionerInformation.json"]  # fmt: skip
PATIENT_BUNDLES = sorted(p for p in (BUNDLES / "bundles").glob("*.json") if p not in SUPPORT)
GIVEN_NAMES = [path.name.split("_")[0] for path in PATIENT_BUNDLES]  # e.g. "Alvin56"


def run_import(*paths: Path, service: str = "synthea") -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("fhir", "import", *map(str, paths), "--service", service, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.slow
@pytest.mark.django_db
def test_all_synthea_bundles_import_with_the_expected_totals(as_user) -> None:
    # Patient bundles first on the command line: the command still loads support bundles first.
    out, err = run_import(*PATIENT_BUNDLES, *SUPPORT)
    assert err == ""
    assert Patient.objects.count() == len(PATIENT_BUNDLES) == 10
    counts = {
        instrument: Assessment.objects.filter(instrument_id=instrument).count()
        for instrument in ("phq2", "phq9", "gad7")
    }
    assert counts == {"phq2": 62, "phq9": 8, "gad7": 50}
    assert "totals imported: gad7 50, phq2 62, phq9 8" in out
    assert "skipped: phq9_teen 8" in out
    assert not any(name in out for name in GIVEN_NAMES)  # names are never printed
    imported = Assessment.objects.filter(source=SubmissionSource.IMPORT, items_available=False)
    assert imported.count() == 120
    assert imported.filter(answers=[]).count() == 120

    # Provenance: each total points at its source Observation and the bundle's SHA-256.
    assessment = imported.get(score_total=4, completed_at__startswith="2015-11-13")
    source = ImportedResource.objects.get(local_type="Assessment", local_id=assessment.id)
    assert source.source_value == "urn:uuid:7da5f8c0-ecdf-5cb8-c4e4-c323e60a438b"
    alvin = next(p for p in PATIENT_BUNDLES if p.name.startswith("Alvin56"))
    assert source.source_bundle == f"sha256:{hashlib.sha256(alvin.read_bytes()).hexdigest()}"
    event = AuditEvent.objects.get(action=AuditAction.ASSESSMENT_SUBMITTED,
                                   object_id=str(assessment.id))  # fmt: skip
    assert event.detail["source_observation"] == "Observation/7da5f8c0-ecdf-5cb8-c4e4-c323e60a438b"

    # The imported history is served as FHIR Observations carrying the source identifier.
    clinician = User.objects.create_user(username="importer-clinician", role=Role.CLINICIAN,
                                         service=assessment.service)  # fmt: skip
    TeamMembership.objects.create(service=assessment.service, team=assessment.patient.care_team,
                                  user=clinician)  # fmt: skip
    mfa.enrol_confirmed_device(clinician)
    fhir = FhirTestClient(as_user(clinician))
    total = fhir.get(f"Observation/{assessment.id}-total").json()
    assert total["code"]["coding"][0]["code"] == "55758-7"
    assert total["identifier"][0]["value"] == source.source_value
    gad7 = fhir.get("Observation", {"code": "http://loinc.org|70274-6", "_count": 100}).json()
    assert gad7["total"] == 50
    provenance = fhir.get("Provenance", {"target": f"Observation/{assessment.id}-total"}).json()
    assert provenance["total"] == 1
    entity = provenance["entry"][0]["resource"]["entity"][0]["what"]
    assert entity["identifier"]["value"] == source.source_value
    assert fhir.get("Provenance", {"patient": str(assessment.patient_id)}).json()["total"] == 14
    outsider = User.objects.create_user(username="other-team", role=Role.CLINICIAN,
                                        service=assessment.service)  # fmt: skip
    mfa.enrol_confirmed_device(outsider)
    assert FhirTestClient(as_user(outsider)).get("Provenance").json()["total"] == 0

    # Re-importing changes nothing (one patient bundle keeps the test quick).
    again, _ = run_import(*SUPPORT, alvin)
    assert "totals already present (re-import): gad7 4, phq2 7, phq9 2" in again
    assert Assessment.objects.count() == 120
    assert Patient.objects.count() == 10


@pytest.mark.django_db
def test_patient_bundle_without_its_support_bundles_is_rejected_whole() -> None:
    with pytest.raises(CommandError, match="1 bundle"):
        run_import(PATIENT_BUNDLES[0])
    assert (Patient.objects.count(), Assessment.objects.count()) == (0, 0)
    assert ImportedResource.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"valueQuantity": {"value": 9}}, "0–6"),  # PHQ-2 totals run 0–6
        ({"effectiveDateTime": "2999-01-01T00:00:00Z"}, "Observation.effectiveDateTime"),
    ],
    ids=["total", "future"],
)
def test_a_bad_total_rolls_back_the_whole_bundle(tmp_path, change, named) -> None:
    """The line names the source Observation and the FHIR element at fault (not Careloop's
    own field names such as completed_at)."""
    run_import(*SUPPORT)
    support_rows = ImportedResource.objects.count()
    bundle = json.loads(PATIENT_BUNDLES[0].read_text(encoding="utf-8"))
    broken = copy.deepcopy(bundle)
    screenings = [
        e["resource"] for e in broken["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "55758-7"
    ]  # fmt: skip
    for element, value in change.items():
        old = screenings[-1][element]
        screenings[-1][element] = old | value if isinstance(old, dict) else value
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("fhir", "import", str(path), "--service", "synthea", stderr=err)
    [line] = err.getvalue().splitlines()
    assert line.startswith("REJECTED FILE #1 (sha256:") and "nothing written: " in line
    assert named in line
    assert f"Observation/{screenings[-1]['id']}: " in line
    where = "Observation.valueQuantity" if "valueQuantity" in change else named
    assert where in line and "completed_at" not in line and "total must" not in line
    assert (Patient.objects.count(), Assessment.objects.count()) == (0, 0)
    assert ImportedResource.objects.count() == support_rows


@pytest.mark.django_db
def test_structurally_invalid_bundle_is_rejected_before_anything_is_read(tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "transaction",
                                "entry": [{"resource": {"resourceType": "Patient",
                                                        "gender": 7}}]}))  # fmt: skip
    with pytest.raises(CommandError):
        run_import(path)
    assert Patient.objects.count() == 0


BAD_FILES = {
    "malformed JSON": b'{"resourceType": "Bundle", "type": "transaction", "entry": [',
    "not UTF-8": b"\xff\xfe{}",
    "a JSON array": b"[1, 2]",
    "wrong resourceType": b'{"resourceType": "Patient", "id": "x"}',
    "invalid resource": json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:1", "request": {"method": "POST", "url": "Patient"},
         "resource": {"resourceType": "Patient", "gender": 7}}]}).encode(),
    "unknown resource type": json.dumps({"resourceType": "Bundle", "type": "transaction",
        "entry": [{"fullUrl": "urn:uuid:1", "request": {"method": "POST", "url": "Nonsense"},
                   "resource": {"resourceType": "Nonsense"}}]}).encode(),
    "an entry that is a number": b'{"resourceType": "Bundle", "type": "transaction", "entry": [1]}',
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_is_one_clear_line_and_a_non_zero_exit(tmp_path, kind) -> None:
    """Each bad bundle is reported on one line naming it and the reason (no traceback), the
    other bundles are still imported, and the command exits non-zero. CommandError is what
    `careloop` prints as one line and exit status 1; any other exception is a traceback."""
    bad = tmp_path / "bad.json"
    bad.write_bytes(BAD_FILES[kind])
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 bundle"):
        call_command("fhir", "import", str(bad), *map(str, SUPPORT), "--service", "synthea",
                     stdout=out, stderr=err)  # fmt: skip
    [line] = err.getvalue().splitlines()
    assert line.startswith("REJECTED FILE #1") and ", nothing written: " in line
    assert len(line.split("nothing written: ", 1)[1]) > 10  # a reason, not just the verdict
    assert "Traceback" not in line and "bad.json" not in line  # never the file name
    assert "bundles: 2 imported, 1 rejected" in out.getvalue()
    assert Patient.objects.count() == 0


def _with_duplicate_full_url(bundle: dict[str, object]) -> dict[str, object]:
    """The patient bundle with its last two screening Observations sharing one fullUrl."""
    broken = copy.deepcopy(bundle)
    entries = broken["entry"]
    assert isinstance(entries, list)
    screenings = [
        e for e in entries
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "55758-7"
    ]  # fmt: skip
    screenings[-1]["fullUrl"] = screenings[-2]["fullUrl"]
    return broken


def test_two_entries_with_one_full_url_are_refused_by_the_reader() -> None:
    from careloop.fhir.importer.bundles import BundleRejected, read_bundle

    bundle = json.loads(PATIENT_BUNDLES[0].read_text(encoding="utf-8"))
    read_bundle(bundle)  # the untouched bundle is fine
    with pytest.raises(BundleRejected) as refused:
        read_bundle(_with_duplicate_full_url(bundle))
    [issue] = [i for i in refused.value.issues if "fullUrl" in i]
    assert "is used by 2 entries" in issue


@pytest.mark.django_db
def test_a_bundle_with_a_duplicate_full_url_is_refused_whole(tmp_path) -> None:
    run_import(*SUPPORT)
    support_rows = ImportedResource.objects.count()
    bundle = json.loads(PATIENT_BUNDLES[0].read_text(encoding="utf-8"))
    path = tmp_path / "duplicate.json"
    path.write_text(json.dumps(_with_duplicate_full_url(bundle)), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 bundle"):
        call_command("fhir", "import", str(path), "--service", "synthea", stderr=err)
    assert "is used by 2 entries" in err.getvalue()
    assert (Patient.objects.count(), Assessment.objects.count()) == (0, 0)
    assert ImportedResource.objects.count() == support_rows
