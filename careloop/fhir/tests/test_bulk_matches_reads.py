"""A bulk file says exactly what a read of the same resource says: every NDJSON line equals the
JSON of `GET [type]/[id]` less the generated narrative `text`, which bulk lines omit (nothing
else ignored, meta.versionId included), and its versionId is the read's ETag. The population
covers each way an Observation or QuestionnaireResponse line is shaped: own and clinician
submissions, an imported assessment with a source identifier, a total-only assessment and a
fractional total."""

from __future__ import annotations

import json

import pytest

from careloop.assessments.models import Assessment
from careloop.core import clock
from careloop.fhir.bulk.storage import _insert_bound
from careloop.fhir.mapping.narrative import without_narrative
from careloop.fhir.models import ImportedResource
from careloop.fhir.smart.clients import register_client
from careloop.fhir.tests.conftest import submit
from careloop.fhir.tests.test_bulk import download, export, finished_manifest
from careloop.fhir.tests.test_smart import bearer, system_token
from careloop.fhir.types import ClientKind

pytestmark = pytest.mark.django_db

# The bulk files omit nothing; these types have no read endpoint a clinician reaches otherwise.
READ_AS_CLINICIAN = {"Patient", "Observation", "QuestionnaireResponse", "Flag"}


@pytest.fixture
def population(ada, ada_patient, ben):
    own = submit(ada_patient, ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 2, 1])  # raises a Flag
    by_clinician = submit(ada_patient, ben, "gad7", [0, 1, 2, 3, 0, 1, 2])
    imported = submit(ada_patient, ben, "phq9", [0, 0, 1, 0, 0, 0, 0, 0, 0])
    ImportedResource.objects.create(
        service_id=ada_patient.service_id, resource_type="QuestionnaireResponse",
        source_system='https://example.org/ids?a={b}&c="d"', source_value="é\\ü %s{0}",
        local_type="Assessment", local_id=imported.id, source_bundle="sha256:" + "0" * 64,
        imported_at=clock.now(),
    )  # fmt: skip
    total_only = submit(ada_patient, ada, "gad7", [1, 1, 1, 1, 1, 1, 1])
    Assessment.objects.filter(id=total_only.id).update(items_available=False)
    fractional = submit(ada_patient, ada, "gad2", [1, 2])
    Assessment.objects.filter(id=fractional.id).update(score_total=13.5)
    return [own, by_clinician, imported, total_only, fractional]


def test_every_bulk_line_equals_the_read_of_that_resource(service, fhir, ben, population) -> None:
    app = register_client(service=service, name="Feed", kind=ClientKind.SYSTEM, redirect_uris=[])
    feed = bearer(system_token(app.client_id, app.client_secret))
    manifest = finished_manifest(feed, export(feed, service.id))
    reader = fhir(ben)
    compared: dict[str, int] = {}
    identified = 0
    for entry in manifest["output"]:
        if entry["type"] not in READ_AS_CLINICIAN:
            continue
        for resource in download(feed, entry["url"]):
            read = reader.get(f"{resource['resourceType']}/{resource['id']}")
            assert read.status_code == 200
            assert "text" not in resource and "text" in read.json()
            assert resource == without_narrative(read.json())
            assert read["ETag"] == f'W/"{resource["meta"]["versionId"]}"'
            compared[entry["type"]] = compared.get(entry["type"], 0) + 1
            identified += resource["resourceType"] == "Observation" and "identifier" in resource
    assert set(compared) == READ_AS_CLINICIAN
    # 5 totals + 9 + 7 + 9 + 2 answered items (the total-only assessment has no items)
    assert compared["Observation"] == 5 + 9 + 7 + 9 + 2
    assert compared["QuestionnaireResponse"] == 4
    assert identified == 1 + 9  # the imported assessment's Observations carry its source


def test_lines_are_compact_json_one_per_line(service, population) -> None:
    app = register_client(service=service, name="Feed", kind=ClientKind.SYSTEM, redirect_uris=[])
    feed = bearer(system_token(app.client_id, app.client_secret))
    manifest = finished_manifest(feed, export(feed, service.id, "?_type=QuestionnaireResponse"))
    url = manifest["output"][0]["url"].split("testserver", 1)[1]
    text = b"".join(feed.get(url).streaming_content).decode()  # type: ignore[attr-defined]
    lines = text.removesuffix("\n").split("\n")
    assert len(lines) == 4
    for line in lines:
        assert line == json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":"))


def test_postgresql_insert_keeps_the_content(service, population) -> None:
    """The bound-parameter insert (PostgreSQL only) stores the part byte for byte."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the bound insert is PostgreSQL's path")
    from careloop.fhir.models import ExportJob, ExportPart

    app = register_client(service=service, name="Feed", kind=ClientKind.SYSTEM, redirect_uris=[])
    job = ExportJob.objects.create(
        service=service, client=app.client, resource_types=["Patient"],
        request_url="x", requested_at=clock.now(), expires_at=clock.now(),
    )  # fmt: skip
    content = '{"a":"é\\\\ü \' %s {0} \\u0000"}\n' * 3
    _insert_bound(
        ExportPart(service=service, job=job, resource_type="Patient", sequence=1, count=3,
                   content=content)
    )  # fmt: skip
    assert ExportPart.objects.get(job=job).content == content


def test_postgresql_writes_instants_as_the_mappers_do(population) -> None:
    """The export reads times as text formatted by PostgreSQL (careloop.fhir.bulk.rows)."""
    from datetime import UTC, datetime, timedelta, timezone

    from django.db import connection

    from careloop.fhir.bulk.rows import assessment_rows
    from careloop.fhir.mapping.common import instant

    moments = [
        datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, 0, 1500, tzinfo=timezone(timedelta(hours=-5))),
        datetime(1999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
    ]
    for assessment, moment in zip(population, moments, strict=False):
        Assessment.objects.filter(id=assessment.id).update(completed_at=moment)
    rows = {values[0]: values for values in assessment_rows(Assessment.objects.order_by("id"))}
    for assessment, moment in zip(population, moments, strict=False):
        assert rows[assessment.id][6] == instant(moment), connection.vendor
