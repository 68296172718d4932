"""Bulk $export with `_since`, and how lines are cut into parts: the export reads only the
patients with something new (generate._changed_since), and must still hold exactly the data
changed after `_since`; parts end where a line-by-line writer would end them."""

from __future__ import annotations

import random
from typing import Any

import pytest

from careloop.accounts.types import Role
from careloop.audit.keys import patient_ref
from careloop.audit.models import AuditEvent
from careloop.care.models import Patient
from careloop.core import clock
from careloop.fhir.bulk import jobs
from careloop.fhir.smart.clients import register_client
from careloop.fhir.tests.conftest import submit
from careloop.fhir.tests.test_bulk import download, export, finished_manifest
from careloop.fhir.tests.test_smart import bearer, system_token
from careloop.fhir.types import ClientKind
from conftest import make_user

PHQ9_ALERT: list[int | None] = [1, 1, 1, 1, 1, 1, 1, 2, 1]  # item 9 answered: an alert


def _lines_by_type(client: Any, manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in manifest["output"]:
        by_type.setdefault(entry["type"], []).extend(download(client, entry["url"]))
    return by_type


def test_since_holds_exactly_what_changed_after_it(service, north, ada, ada_patient) -> None:
    submit(ada_patient, ada, "phq9", PHQ9_ALERT)  # before: neither it nor its alert is exported
    since = clock.now()
    later = submit(ada_patient, ada, "gad7", [1] * 7)
    user = make_user(service, "eve", Role.PATIENT)
    eve = Patient.objects.create(service=service, user=user, care_team=north, display_name="Eve")
    eves = submit(eve, user, "phq9", PHQ9_ALERT)

    app = register_client(service=service, name="Feed", kind=ClientKind.SYSTEM, redirect_uris=[])
    feed = bearer(system_token(app.client_id, app.client_secret))
    query = "?_since=" + since.isoformat().replace("+00:00", "Z")
    by_type = _lines_by_type(feed, finished_manifest(feed, export(feed, service.id, query)))

    assert [p["id"] for p in by_type["Patient"]] == [str(eve.id)]  # Ada was registered before
    assert {r["id"] for r in by_type["QuestionnaireResponse"]} == {str(later.id), str(eves.id)}
    observed = {o["id"][:36] for o in by_type["Observation"]}  # <assessment id>-<part>
    assert observed == {str(later.id), str(eves.id)}
    assert [f["subject"]["reference"] for f in by_type["Flag"]] == [f"Patient/{eve.id}"]
    exported = AuditEvent.objects.filter(action="fhir.bulk_patient_exported")
    assert set(exported.values_list("patient_ref", flat=True)) == {
        patient_ref(ada_patient.id),
        patient_ref(eve.id),
    }


class _Recorder(jobs._PartWriter):
    """A part writer that keeps its parts instead of storing them."""

    def __init__(self) -> None:
        super().__init__(None, None, "Observation")  # type: ignore[arg-type]
        self.parts: list[list[str]] = []

    def flush(self) -> None:
        if self.lines:
            self.parts.append(self.lines)
            self.lines, self.characters = [], 0


def _line_by_line(batches: list[list[str]], most: int, characters: int) -> list[list[str]]:
    """The rule, one line at a time: a part ends with the line that reaches either limit."""
    parts: list[list[str]] = []
    current: list[str] = []
    held = 0
    for line in (line for batch in batches for line in batch):
        current.append(line)
        held += len(line) + 1
        if len(current) >= most or held >= characters:
            parts.append(current)
            current, held = [], 0
    return [*parts, current] if current else parts


@pytest.mark.parametrize("seed", range(20))
def test_parts_end_where_a_line_by_line_writer_ends_them(monkeypatch, seed: int) -> None:
    chance = random.Random(seed)
    most, characters = chance.randint(1, 12), chance.randint(1, 200)
    monkeypatch.setattr(jobs, "PART_MAX_RESOURCES", most)
    monkeypatch.setattr(jobs, "PART_MAX_CHARACTERS", characters)
    batches = [
        [f"{b}.{i}:" + "x" * chance.randint(0, 60) for i in range(chance.randint(0, 30))]
        for b in range(chance.randint(1, 8))
    ]
    writer = _Recorder()
    for batch in batches:
        writer.add(batch)
    writer.flush()
    assert writer.parts == _line_by_line(batches, most, characters)
