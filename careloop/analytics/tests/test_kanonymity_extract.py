"""`careloop research extract`: only consenting patients, pseudonymised (no names, dates of
birth, dates or free text), k >= 5 over the quasi-identifiers, a report, and audited."""

from __future__ import annotations

import csv
import json
import uuid
from collections import defaultdict
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from careloop.accounts.types import Role
from careloop.analytics.research_extract import COLUMNS, build_extract
from careloop.assessments.models import Assessment
from careloop.assessments.types import SubmissionSource
from careloop.audit.keys import patient_ref
from careloop.audit.models import AuditEvent
from careloop.care.models import Patient, TreatmentEpisode
from careloop.core import clock
from careloop.monitoring.models import CheckIn
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.services import decide, publish_default_documents
from careloop.privacy.types import Choice
from conftest import make_user

QIS = ("age", "gender", "ethnicity", "deprivation_quintile")


def _patient(service, team, n: int, *, consents: bool) -> Patient:
    user = make_user(service, f"p{n}", Role.PATIENT)
    patient = Patient.objects.create(
        service=service,
        user=user,
        care_team=team,
        display_name=f"Canary Person{n}",
        birth_year=1980 + n % 3,
        gender="female" if n % 2 else "male",
        ethnicity="white_british",
        deprivation_quintile=3,
    )
    start = clock.now() - timedelta(days=70)
    TreatmentEpisode.objects.create(
        service=service, patient=patient, referred_on=start.date(), started_on=start.date()
    )
    for week in (0, 4):
        at = start + timedelta(days=7 * week + 1)
        Assessment.objects.create(
            service=service,
            patient=patient,
            instrument_id="phq9",
            instrument_version="phq9@1.0.0",
            answers=[1] * 9 + [0],
            score_total=9,
            completed_at=at,
            recorded_at=at,
            source=SubmissionSource.WEB,
            client_id=uuid.uuid4(),
        )
    CheckIn.objects.create(
        service=service,
        patient=patient,
        mood=6,
        note=f"private note of person {n}",
        completed_at=start + timedelta(days=15),
        recorded_at=start + timedelta(days=15),
        source=SubmissionSource.WEB,
        client_id=uuid.uuid4(),
    )
    if consents:
        decide(
            actor=user,
            patient=patient,
            purpose=PurposeOfUse.HRESCH,
            stream=DataStream.QUESTIONNAIRES,
            choice=Choice.GIVEN,
        )
    return patient


@pytest.fixture
def population(service, north):
    publish_default_documents(service.id)
    consenting = [_patient(service, north, n, consents=True) for n in range(14)]
    refusing = [_patient(service, north, 100 + n, consents=False) for n in range(3)]
    return consenting, refusing


@pytest.fixture
def researcher(service):
    return make_user(service, "rhea", Role.RESEARCHER)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_extract_is_consented_pseudonymous_and_k_anonymous(population, researcher, tmp_path):
    consenting, refusing = population
    out = tmp_path / "extract.csv"
    stdout = StringIO()
    call_command(
        "research", "extract", "--service", "test-service", "--by", "rhea",
        "--purpose", "HRESCH", "--out", str(out), stdout=stdout,
    )  # fmt: skip
    rows = _read(out)
    report = json.loads(out.with_suffix(".report.json").read_text(encoding="utf-8"))
    # only consenting patients, only the consented stream (questionnaires, not check-ins)
    assert {r["measure"] for r in rows} == {"phq9"}
    assert report["patients_consented"] == len(consenting)
    assert report["patients_released"] + report["patients_suppressed"] == len(consenting)
    assert len(rows) == 2 * report["patients_released"]
    # k >= 5 people per class over the quasi-identifiers
    people = defaultdict(set)
    for row in rows:
        people[tuple(row[q] for q in QIS)].add(row["pid"])
    assert min(len(pids) for pids in people.values()) >= 5
    assert report["k"] == 5 and report["k_achieved"] >= 5
    assert report["quasi_identifiers"] == list(QIS)
    # pseudonymous: no names, ids, birth years, dates or free text
    text = out.read_text(encoding="utf-8")
    for patient in consenting + refusing:
        assert str(patient.id) not in text
    assert "Canary" not in text and "private note" not in text
    assert list(rows[0]) == list(COLUMNS)  # no name, birth year or date column
    assert all(row["age"] == "*" or "-" in row["age"] for row in rows)  # age bands only
    assert not any("-" in row["week"] or ":" in row["week"] for row in rows)
    assert {row["week"] for row in rows} == {"0", "4"}  # weeks since the course of care began
    # audited: one event for the extract, one per released patient, none for refusers
    assert AuditEvent.objects.filter(action="research.extracted", patient_ref="").count() == 1
    refs = set(
        AuditEvent.objects.filter(action="research.extracted")
        .exclude(patient_ref="")
        .values_list("patient_ref", flat=True)
    )
    assert not refs & {patient_ref(p.id) for p in refusing}
    assert len(refs) == report["patients_released"]


def test_pseudonyms_differ_between_extracts(population, researcher):
    first = {row["pid"] for row in build_extract(researcher, purpose="HRESCH").rows}
    second = {row["pid"] for row in build_extract(researcher, purpose="HRESCH").rows}
    assert first and not first & second


def test_too_few_consenting_people_releases_nothing(service, north, researcher):
    publish_default_documents(service.id)
    for n in range(4):
        _patient(service, north, n, consents=True)
    extract = build_extract(researcher, purpose="HRESCH")
    assert extract.rows == []
    assert extract.report()["patients_suppressed"] == 4


def test_only_researchers_and_admins_extract_and_k_stays_at_least_five(population, ben, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "research", "extract", "--service", "test-service", "--by", "ben",
            "--purpose", "HRESCH", "--out", str(tmp_path / "x.csv"),
        )  # fmt: skip
    with pytest.raises(CommandError):
        call_command(
            "research", "extract", "--service", "test-service", "--by", "ben",
            "--purpose", "HRESCH", "--out", str(tmp_path / "x.csv"), "--k", "3",
        )  # fmt: skip
