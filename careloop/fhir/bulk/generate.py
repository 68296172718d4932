"""The NDJSON lines of one export, type by type, streamed from the database in bounded chunks.

Whose data: the service's patients (never erased ones) whose consent lets the data stream of
the type (profile, questionnaires, safety) be used for the client's purpose of use. The patient
set is a lazy subquery (careloop.privacy.consent.consented_patient_ids), so memory stays
bounded by the chunk size whatever the population.

Observations and QuestionnaireResponses (nearly all of an export) are read as plain rows and
written through shapes compiled from the REST mappers (assessment_lines.py): the same JSON as a
read of the resource, without building and serialising a dict per resource. The few other
resources go through their mappers and one compact JSON encoding each.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db.models import QuerySet

from careloop.assessments.selectors import (
    assessments_of_patients_for_system,
    patients_assessed_since_for_system,
)
from careloop.care.selectors import (
    patients_with_ids_for_system,
    staff_of_teams_for_system,
    team_staff_for_system,
    teams_of_patients_for_system,
    unerased_patient_ids_for_system,
)
from careloop.fhir import selectors
from careloop.fhir.bulk.assessment_lines import (
    AssessmentRow,
    ObservationLines,
    QuestionnaireResponseLines,
    author_of,
)
from careloop.fhir.bulk.rows import CHUNK, assessment_rows
from careloop.fhir.bulk.shapes import line_text
from careloop.fhir.mapping.care_team import TeamMember, care_team_resource
from careloop.fhir.mapping.common import Resource
from careloop.fhir.mapping.flag import flag_resource
from careloop.fhir.mapping.patient import patient_resource
from careloop.fhir.mapping.practitioner import practitioner_resource
from careloop.fhir.models import ImportedResource
from careloop.instruments.library import InstrumentDefinition, UnknownInstrument, get_instrument
from careloop.privacy.consent import consented_patient_ids
from careloop.privacy.policy import DataStream
from careloop.safety.selectors import (
    alert_last_updated,
    alerts_of_patients_for_system,
    patients_with_alerts_updated_since_for_system,
)

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment
    from careloop.care.models import CareTeam

PATIENT_CHUNK = 500  # patients per data query

# Which part of the record each exported type shows (the consent that must allow it).
STREAM_OF_TYPE = {
    "Patient": DataStream.PROFILE,
    "CareTeam": DataStream.PROFILE,
    "Practitioner": DataStream.PROFILE,
    "QuestionnaireResponse": DataStream.QUESTIONNAIRES,
    "Observation": DataStream.QUESTIONNAIRES,
    "Flag": DataStream.SAFETY,
}
EXPORTABLE_TYPES = tuple(STREAM_OF_TYPE)


T = TypeVar("T")
_Row = TypeVar("_Row")


@dataclass(frozen=True)
class ExportScope:
    service_id: uuid.UUID
    purpose: str
    since: datetime | None


@dataclass(frozen=True)
class Batch:
    """NDJSON lines of one type, and the patients whose data they hold (for the audit)."""

    lines: list[str]
    patient_ids: set[uuid.UUID]


def _subject_id(resource: Resource) -> uuid.UUID | None:
    if resource["resourceType"] == "Patient":
        return uuid.UUID(resource["id"])
    reference = resource.get("subject", {}).get("reference", "")
    if reference.startswith("Patient/"):
        return uuid.UUID(reference.removeprefix("Patient/"))
    return None


def encoded(resources: Iterator[Resource]) -> Iterator[Batch]:
    """Mapped resources as lines, CHUNK at a time."""
    while chunk := list(islice(resources, CHUNK)):
        subjects = {subject for r in chunk if (subject := _subject_id(r)) is not None}
        yield Batch([line_text(resource) for resource in chunk], subjects)


def patient_ids(scope: ExportScope, resource_type: str) -> QuerySet[Any, uuid.UUID]:
    consented = consented_patient_ids(
        service_id=scope.service_id, purpose=scope.purpose, stream=STREAM_OF_TYPE[resource_type]
    )
    return unerased_patient_ids_for_system(scope.service_id, consented)


def _changed_since(scope: ExportScope, resource_type: str) -> QuerySet[Any, uuid.UUID] | None:
    """With `_since`: the ids of the patients with data of this type changed after it (a lazy
    subquery; None: every consenting patient may have some). The data queries filter by the
    same times, so this only spares them the patients who have nothing new: at 100k patients
    and a week's `_since`, most of them."""
    if scope.since is None:
        return None
    if resource_type in ("Observation", "QuestionnaireResponse"):
        return patients_assessed_since_for_system(scope.service_id, scope.since)
    if resource_type == "Flag":
        return patients_with_alerts_updated_since_for_system(scope.service_id, scope.since)
    return None


def patient_chunks(scope: ExportScope, resource_type: str) -> Iterator[list[uuid.UUID]]:
    """The consenting patients' ids, PATIENT_CHUNK at a time: the consent subquery runs once
    per type, and each data query gets a plain id list (planners handle that well)."""
    ids = patient_ids(scope, resource_type)
    changed = _changed_since(scope, resource_type)
    if changed is not None:
        ids = ids.filter(id__in=changed)
    elif resource_type == "Patient" and scope.since is not None:
        ids = ids.filter(created_at__gt=scope.since)  # as _patients filters each chunk
    ordered = ids.order_by("id").iterator(chunk_size=CHUNK)
    while chunk := list(islice(ordered, PATIENT_CHUNK)):
        yield chunk


def _assessments(scope: ExportScope, patients: list[uuid.UUID]) -> QuerySet[Assessment]:
    rows = assessments_of_patients_for_system(scope.service_id, patients)
    if scope.since is not None:
        rows = rows.filter(recorded_at__gt=scope.since)
    return rows.order_by("patient_id", "id")


def _patients(scope: ExportScope) -> Iterator[Batch]:
    for chunk in patient_chunks(scope, "Patient"):
        rows = patients_with_ids_for_system(chunk)
        if scope.since is not None:
            rows = rows.filter(created_at__gt=scope.since)
        yield from encoded(patient_resource(patient) for patient in rows.order_by("id"))


class _Builders(Generic[T]):
    """One line builder per instrument of the job (shapes compile on first use)."""

    def __init__(self, build: Callable[[InstrumentDefinition], T]) -> None:
        self.build = build
        self.by_instrument: dict[str, T | None] = {}

    def get(self, instrument_id: str) -> T | None:
        if instrument_id not in self.by_instrument:
            try:
                self.by_instrument[instrument_id] = self.build(get_instrument(instrument_id))
            except UnknownInstrument:
                self.by_instrument[instrument_id] = None  # the REST API shows none either
        return self.by_instrument[instrument_id]


def _has_imported_assessments(scope: ExportScope) -> bool:
    """Whether any of the service's assessments came from an import: most services have none,
    and then no batch needs the provenance lookup."""
    imported = ImportedResource.objects.filter(service_id=scope.service_id, local_type="Assessment")
    return imported.exists()


def _observations(scope: ExportScope) -> Iterator[Batch]:
    builders = _Builders(ObservationLines)
    imported = _has_imported_assessments(scope)
    for chunk in patient_chunks(scope, "Observation"):
        for batch in _batches(assessment_rows(_assessments(scope, chunk)), CHUNK):
            ids = [values[0] for values in batch]
            sources = selectors.import_sources(scope.service_id, ids) if imported else {}
            lines: list[str] = []
            patients: set[uuid.UUID] = set()
            for values in batch:
                row = AssessmentRow._make(values)
                builder = builders.get(row.instrument_id)
                produced = builder.lines(row, sources.get(row.id)) if builder else []
                if produced:
                    lines += produced
                    patients.add(row.patient_id)
            yield Batch(lines, patients)


def _questionnaire_responses(scope: ExportScope) -> Iterator[Batch]:
    builders = _Builders(QuestionnaireResponseLines)
    for chunk in patient_chunks(scope, "QuestionnaireResponse"):
        rows = _assessments(scope, chunk).filter(items_available=True)
        for batch in _batches(assessment_rows(rows, "submitted_by_id", "patient__user_id"), CHUNK):
            lines: list[str] = []
            patients: set[uuid.UUID] = set()
            for *values, submitted_by, patient_user in batch:
                row = AssessmentRow._make(values)
                builder = builders.get(row.instrument_id)
                if builder is not None:
                    lines.append(builder.line(row, author_of(row, submitted_by, patient_user)))
                    patients.add(row.patient_id)
            yield Batch(lines, patients)


def _flags(scope: ExportScope) -> Iterator[Batch]:
    for chunk in patient_chunks(scope, "Flag"):
        rows = alerts_of_patients_for_system(scope.service_id, chunk)
        if scope.since is not None:
            rows = rows.annotate(last_updated=alert_last_updated()).filter(
                last_updated__gt=scope.since
            )
        alerts = rows.order_by("patient_id", "id").iterator(chunk_size=CHUNK)
        yield from encoded(flag_resource(alert) for alert in alerts)


def _teams(scope: ExportScope) -> QuerySet[CareTeam]:
    return teams_of_patients_for_system(scope.service_id, patient_ids(scope, "CareTeam"))


def _care_teams(scope: ExportScope) -> Iterator[Batch]:
    members = team_staff_for_system(_teams(scope))
    by_team: dict[uuid.UUID, list[TeamMember]] = {}
    for team_id, user_id, role in members.iterator(chunk_size=CHUNK):
        by_team.setdefault(team_id, []).append(TeamMember(user_id, role))
    teams = _teams(scope).order_by("id").iterator(chunk_size=CHUNK)
    yield from encoded(
        care_team_resource(
            team.id, team.name, sorted(by_team.get(team.id, []), key=lambda m: str(m.user_id))
        )
        for team in teams
    )


def _practitioners(scope: ExportScope) -> Iterator[Batch]:
    staff = staff_of_teams_for_system(scope.service_id, _teams(scope))
    yield from encoded(
        practitioner_resource(user) for user in staff.order_by("id").iterator(chunk_size=CHUNK)
    )


GENERATORS: dict[str, Callable[[ExportScope], Iterator[Batch]]] = {
    "Patient": _patients,
    "CareTeam": _care_teams,
    "Practitioner": _practitioners,
    "QuestionnaireResponse": _questionnaire_responses,
    "Observation": _observations,
    "Flag": _flags,
}


def batches(scope: ExportScope, resource_type: str) -> Iterator[Batch]:
    """The export's NDJSON lines of one type, a bounded batch at a time."""
    return GENERATORS[resource_type](scope)


def _batches(rows: Iterator[_Row], size: int) -> Iterator[list[_Row]]:
    while batch := list(islice(rows, size)):
        yield batch
