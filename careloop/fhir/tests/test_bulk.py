"""Bulk $export end to end: system token → kick-off → worker → manifest → NDJSON files, with the
compartment (A2: nothing outside the caller's service, nothing a patient's consent withholds)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from careloop.accounts.types import Role
from careloop.audit.keys import patient_ref
from careloop.audit.models import AuditEvent
from careloop.care.models import CareTeam, Patient
from careloop.core import clock
from careloop.core.models import Service
from careloop.fhir.bulk import generate
from careloop.fhir.bulk.jobs import expire_exports, run_exports
from careloop.fhir.models import ExportJob, ExportPart
from careloop.fhir.smart.clients import register_client
from careloop.fhir.tests.conftest import submit
from careloop.fhir.tests.fhir_assert import assert_valid_fhir
from careloop.fhir.tests.test_smart import bearer, system_token
from careloop.fhir.types import ClientKind
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.services import decide, publish_default_documents
from careloop.privacy.types import Choice
from conftest import make_user

KICK_OFF = {"Accept": "application/fhir+json", "Prefer": "respond-async"}


@pytest.fixture
def system_app(service):
    return register_client(service=service, name="Feed", kind=ClientKind.SYSTEM, redirect_uris=[])


@pytest.fixture
def feed(system_app) -> Client:
    return bearer(system_token(system_app.client_id, system_app.client_secret))


@pytest.fixture
def population(service, ada, ada_patient, ben, dana):
    """Ada (north) with a PHQ-9 raising an alert, and a second patient in another service."""
    submit(ada_patient, ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 2, 1])
    other = Service.objects.create(slug="other-service", name="Other")
    team = CareTeam.objects.create(service=other, name="Other team")
    user = make_user(other, "outsider", Role.PATIENT)
    outsider = Patient.objects.create(
        service=other, user=user, care_team=team, display_name="Out Sider"
    )
    submit(outsider, user, "phq9", [3] * 9)
    return other, outsider


def export(client: Client, service_id, query: str = "") -> str:
    response = client.get(f"/fhir/r4/Group/{service_id}/$export{query}", headers=KICK_OFF)
    assert response.status_code == 202, response.content
    return response["Content-Location"].split("/fhir/r4/", 1)[1]


def finished_manifest(client: Client, status_path: str) -> Any:
    waiting = client.get(f"/fhir/r4/{status_path}")
    assert waiting.status_code == 202
    assert waiting["Retry-After"] and waiting["X-Progress"]
    assert run_exports() == 1
    done = client.get(f"/fhir/r4/{status_path}")
    assert done.status_code == 200, done.content
    return done.json()


def download(client: Client, url: str) -> list[Any]:
    response = client.get(url.split("testserver", 1)[1])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+ndjson"
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return [json.loads(line) for line in text.splitlines()]


def test_full_export_of_a_service(service, feed, population, ada_patient) -> None:
    _, outsider = population
    status_path = export(feed, service.id, "?_outputFormat=application/fhir%2Bndjson")
    manifest = finished_manifest(feed, status_path)
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    types = {entry["type"] for entry in manifest["output"]}
    assert {"Patient", "Observation", "QuestionnaireResponse", "Flag", "CareTeam"} <= types
    subjects = set()
    for entry in manifest["output"]:
        resources = download(feed, entry["url"])
        assert len(resources) == entry["count"]
        for resource in resources:
            assert resource["resourceType"] == entry["type"]
            assert_valid_fhir(resource)
            if "subject" in resource:
                subjects.add(resource["subject"]["reference"])
    assert subjects == {f"Patient/{ada_patient.id}"}  # never the other service's patient
    assert str(outsider.id) not in json.dumps(
        list(ExportPart.objects.values_list("content", flat=True))
    )
    exported = AuditEvent.objects.filter(action="fhir.bulk_patient_exported")
    assert list(exported.values_list("patient_ref", flat=True)) == [patient_ref(ada_patient.id)]
    assert exported.get().purpose == "TREAT"


def test_consent_withdrawal_keeps_questionnaires_out(service, feed, population, ada, ada_patient):
    publish_default_documents(service.id)
    decide(
        actor=ada, patient=ada_patient, purpose=PurposeOfUse.TREAT,
        stream=DataStream.QUESTIONNAIRES, choice=Choice.WITHDRAWN,
    )  # fmt: skip
    manifest = finished_manifest(feed, export(feed, service.id))
    types = {entry["type"] for entry in manifest["output"]}
    assert "Patient" in types  # the profile is part of receiving care
    assert not types & {"Observation", "QuestionnaireResponse"}


def test_research_client_gets_only_opted_in_patients(service, population, ada_patient) -> None:
    research = register_client(
        service=service, name="Study", kind=ClientKind.SYSTEM, redirect_uris=[], purpose="HRESCH"
    )
    client = bearer(system_token(research.client_id, research.client_secret))
    manifest = finished_manifest(client, export(client, service.id))
    assert manifest["output"] == []  # nobody opted in


def test_other_services_client_sees_nothing_of_this_export(service, feed, population) -> None:
    other, _ = population
    intruder_app = register_client(
        service=other, name="Intruder", kind=ClientKind.SYSTEM, redirect_uris=[]
    )
    intruder = bearer(system_token(intruder_app.client_id, intruder_app.client_secret))
    assert intruder.get(f"/fhir/r4/Group/{service.id}/$export", headers=KICK_OFF).status_code == 404
    status_path = export(feed, service.id)
    manifest = finished_manifest(feed, status_path)
    assert intruder.get(f"/fhir/r4/{status_path}").status_code == 404
    url = manifest["output"][0]["url"].split("testserver", 1)[1]
    assert intruder.get(url).status_code == 404
    assert Client().get(url).status_code == 401


def test_only_system_clients_export(service, as_user, ben, population) -> None:
    response = as_user(ben).get(f"/fhir/r4/Group/{service.id}/$export", headers=KICK_OFF)
    assert response.status_code == 403


def test_kick_off_checks_headers_types_and_scopes(service, system_app, population) -> None:
    full = bearer(system_token(system_app.client_id, system_app.client_secret))
    path = f"/fhir/r4/Group/{service.id}/$export"
    assert full.get(path).status_code == 400  # no Prefer: respond-async
    assert full.get(path + "?_type=Condition", headers=KICK_OFF).status_code == 400
    assert full.get(path + "?_outputFormat=text/csv", headers=KICK_OFF).status_code == 400
    assert full.get(path + "?_since=yesterday", headers=KICK_OFF).status_code == 400
    assert full.get(path + "?patient=Patient/1", headers=KICK_OFF).status_code == 400
    narrow = bearer(
        system_token(system_app.client_id, system_app.client_secret, "system/Observation.read")
    )
    refused = narrow.get(path + "?_type=Patient", headers=KICK_OFF)
    assert refused.status_code == 403
    manifest = finished_manifest(narrow, export(narrow, service.id))
    assert {entry["type"] for entry in manifest["output"]} == {"Observation"}


def test_since_limits_to_newer_data(service, feed, population) -> None:
    later = (clock.now() + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    manifest = finished_manifest(feed, export(feed, service.id, f"?_since={later}"))
    # Teams and staff carry no update time, so they are always included (documented).
    assert {entry["type"] for entry in manifest["output"]} <= {"CareTeam", "Practitioner"}


def test_one_active_export_per_client_then_cancel(service, feed, population) -> None:
    status_path = export(feed, service.id)
    busy = feed.get(f"/fhir/r4/Group/{service.id}/$export", headers=KICK_OFF)
    assert busy.status_code == 429
    assert feed.delete(f"/fhir/r4/{status_path}").status_code == 202
    assert feed.get(f"/fhir/r4/{status_path}").status_code == 404
    assert run_exports() == 0  # nothing left to build
    export(feed, service.id)  # a new one may start


def test_failed_build_reports_500_outcome(service, feed, population, monkeypatch) -> None:
    def broken(scope):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(generate.GENERATORS, "Patient", broken)
    status_path = export(feed, service.id, "?_type=Patient")
    assert run_exports() == 1
    failed = feed.get(f"/fhir/r4/{status_path}")
    assert failed.status_code == 500
    assert "disk" not in failed.json()["issue"][0]["diagnostics"]


def test_exports_expire(service, feed, population, settings) -> None:
    finished_manifest(feed, export(feed, service.id))
    assert ExportPart.objects.exists()
    ExportJob.objects.update(expires_at=clock.now() - timedelta(seconds=1))
    assert expire_exports() == 1
    assert not ExportJob.objects.exists() and not ExportPart.objects.exists()
