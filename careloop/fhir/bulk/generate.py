"""The resources of one export, type by type, streamed from the database in bounded chunks.

Whose data: the service's patients (never erased ones) whose consent lets the data stream of
the type (profile, questionnaires, safety) be used for the client's purpose of use. The patient
set is a lazy subquery (careloop.privacy.consent.consented_patient_ids), so memory stays
bounded by the chunk size whatever the population.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from careloop.accounts.models import CARE_TEAM_ROLES, User
from careloop.assessments.models import Assessment
from careloop.care.models import CareTeam, Patient, TeamMembership
from careloop.fhir import selectors
from careloop.fhir.resources.care_team import TeamMember, care_team_resource
from careloop.fhir.resources.common import Resource
from careloop.fhir.resources.flag import flag_resource
from careloop.fhir.resources.observation import observation_parts, observation_resource
from careloop.fhir.resources.patient import patient_resource
from careloop.fhir.resources.practitioner import practitioner_resource
from careloop.fhir.search_assessments import questionnaire_response_for
from careloop.instruments.library import InstrumentDefinition, UnknownInstrument, get_instrument
from careloop.privacy.consent import consented_patient_ids
from careloop.privacy.policy import DataStream
from careloop.safety.models import Alert

CHUNK = 2000  # rows fetched per round trip
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


@dataclass(frozen=True)
class ExportScope:
    service_id: uuid.UUID
    purpose: str
    since: datetime | None


def patient_ids(scope: ExportScope, resource_type: str) -> QuerySet[Any, uuid.UUID]:
    consented = consented_patient_ids(
        service_id=scope.service_id, purpose=scope.purpose, stream=STREAM_OF_TYPE[resource_type]
    )
    return Patient.objects.filter(
        service_id=scope.service_id, erased_at__isnull=True, id__in=consented
    ).values_list("id", flat=True)


def patient_chunks(scope: ExportScope, resource_type: str) -> Iterator[list[uuid.UUID]]:
    """The consenting patients' ids, PATIENT_CHUNK at a time: the consent subquery runs once
    per type, and each data query gets a plain id list (planners handle that well)."""
    ids = patient_ids(scope, resource_type).order_by("id").iterator(chunk_size=CHUNK)
    while chunk := list(islice(ids, PATIENT_CHUNK)):
        yield chunk


def _definition(instrument_id: str, cache: dict[str, InstrumentDefinition | None]) -> Any:
    if instrument_id not in cache:
        try:
            cache[instrument_id] = get_instrument(instrument_id)
        except UnknownInstrument:
            cache[instrument_id] = None
    return cache[instrument_id]


def _assessments(scope: ExportScope, patients: list[uuid.UUID]) -> QuerySet[Assessment]:
    rows = Assessment.objects.filter(service_id=scope.service_id, patient_id__in=patients)
    if scope.since is not None:
        rows = rows.filter(recorded_at__gt=scope.since)
    return rows.order_by("patient_id", "id")


def _patients(scope: ExportScope) -> Iterator[Resource]:
    for chunk in patient_chunks(scope, "Patient"):
        rows = Patient.objects.filter(id__in=chunk)
        if scope.since is not None:
            rows = rows.filter(created_at__gt=scope.since)
        for patient in rows.order_by("id"):
            yield patient_resource(patient)


def _observations(scope: ExportScope) -> Iterator[Resource]:
    definitions: dict[str, InstrumentDefinition | None] = {}
    for chunk in patient_chunks(scope, "Observation"):
        rows = _assessments(scope, chunk)
        for batch in _batches(rows.iterator(chunk_size=CHUNK), CHUNK):
            sources = selectors.import_sources(scope.service_id, [a.id for a in batch])
            for assessment in batch:
                definition = _definition(assessment.instrument_id, definitions)
                if definition is None:
                    continue
                source = sources.get(assessment.id)
                for part in observation_parts(assessment, definition):
                    yield observation_resource(
                        assessment, definition, part, source_identifier=source
                    )


def _questionnaire_responses(scope: ExportScope) -> Iterator[Resource]:
    for chunk in patient_chunks(scope, "QuestionnaireResponse"):
        rows = _assessments(scope, chunk).filter(items_available=True).select_related("patient")
        for assessment in rows.iterator(chunk_size=CHUNK):
            resource = questionnaire_response_for(assessment)
            if resource is not None:
                yield resource


def _flags(scope: ExportScope) -> Iterator[Resource]:
    for chunk in patient_chunks(scope, "Flag"):
        rows = Alert.objects.filter(service_id=scope.service_id, patient_id__in=chunk)
        if scope.since is not None:
            last_updated = Coalesce(
                "closed_at", "actioned_at", "acknowledged_at", "notified_at", "raised_at"
            )
            rows = rows.annotate(last_updated=last_updated).filter(last_updated__gt=scope.since)
        for alert in rows.order_by("patient_id", "id").iterator(chunk_size=CHUNK):
            yield flag_resource(alert)


def _teams(scope: ExportScope) -> QuerySet[CareTeam]:
    return CareTeam.objects.filter(
        service_id=scope.service_id, patients__id__in=patient_ids(scope, "CareTeam")
    ).distinct()


def _care_teams(scope: ExportScope) -> Iterator[Resource]:
    members = TeamMembership.objects.filter(
        team__in=_teams(scope), user__role__in=CARE_TEAM_ROLES
    ).values_list("team_id", "user_id", "user__role")
    by_team: dict[uuid.UUID, list[TeamMember]] = {}
    for team_id, user_id, role in members.iterator(chunk_size=CHUNK):
        by_team.setdefault(team_id, []).append(TeamMember(user_id, role))
    for team in _teams(scope).order_by("id").iterator(chunk_size=CHUNK):
        team_members = sorted(by_team.get(team.id, []), key=lambda m: str(m.user_id))
        yield care_team_resource(team.id, team.name, team_members)


def _practitioners(scope: ExportScope) -> Iterator[Resource]:
    staff = User.objects.filter(
        service_id=scope.service_id,
        role__in=CARE_TEAM_ROLES,
        team_memberships__team__in=_teams(scope),
    ).distinct()
    for user in staff.order_by("id").iterator(chunk_size=CHUNK):
        yield practitioner_resource(user)


GENERATORS: dict[str, Callable[[ExportScope], Iterator[Resource]]] = {
    "Patient": _patients,
    "CareTeam": _care_teams,
    "Practitioner": _practitioners,
    "QuestionnaireResponse": _questionnaire_responses,
    "Observation": _observations,
    "Flag": _flags,
}


def resources(scope: ExportScope, resource_type: str) -> Iterator[Resource]:
    return GENERATORS[resource_type](scope)


def _batches(rows: Iterator[Assessment], size: int) -> Iterator[list[Assessment]]:
    while batch := list(islice(rows, size)):
        yield batch
