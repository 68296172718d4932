"""Searches over assessments as QuestionnaireResponses and as Observations.

Observations are derived from assessments (one for the total, one per answered item), so a
search walks the matching assessments in order, counts the Observations each yields and builds
only those inside the requested page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from careloop.assessments.selectors import (
    assessments_of_patient_visible_to,
    assessments_visible_to,
)
from careloop.fhir import selectors
from careloop.fhir.mapping.common import (
    OBSERVATION_CATEGORY,
    Resource,
    instrument_id_from_fhir,
    reference,
)
from careloop.fhir.mapping.observation import (
    TOTAL,
    codes_by_token,
    observation_parts,
    observation_resource,
)
from careloop.fhir.mapping.patient import patient_resource
from careloop.fhir.mapping.questionnaire import questionnaire_resource
from careloop.fhir.mapping.questionnaire_response import (
    ResponseRejected,
    client_id_for,
    questionnaire_response_resource,
)
from careloop.fhir.search.common import Page, apply, as_uuid, date_q, ids_q, ordered, window
from careloop.fhir.search.params import SearchRequest, reference_id, token
from careloop.instruments.library import (
    InstrumentDefinition,
    UnknownInstrument,
    get_instrument,
    list_instruments,
)

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.assessments.models import Assessment

_SORT_FIELDS = {"date": "completed_at", "authored": "completed_at", "_lastUpdated": "recorded_at"}
_NEWEST_FIRST = ["-completed_at", "-id"]


def _definition(instrument_id: str) -> InstrumentDefinition | None:
    try:
        return get_instrument(instrument_id)
    except UnknownInstrument:
        return None


def _author(assessment: Assessment) -> dict[str, str] | None:
    if assessment.submitted_by_id is None:
        return None
    if assessment.submitted_by_id == assessment.patient.user_id:
        return reference("Patient", assessment.patient_id)
    return reference("Practitioner", assessment.submitted_by_id)


def questionnaire_response_for(assessment: Assessment) -> Resource | None:
    definition = _definition(assessment.instrument_id)
    if definition is None or not assessment.items_available:
        return None
    return questionnaire_response_resource(assessment, definition, author=_author(assessment))


def _named_patient(request: SearchRequest) -> uuid.UUID | None:
    """The one patient the search names (patient= or subject=), if it names exactly one."""
    named = [
        as_uuid(reference_id(value, "Patient"))
        for name in ("patient", "subject")
        for value in request.values(name)
    ]
    return named[0] if len(named) == 1 else None


def _visible_assessments(user: User, request: SearchRequest) -> QuerySet[Assessment]:
    """The assessments a search may see; one named patient takes the single-patient path."""
    patient_id = _named_patient(request)
    if patient_id is not None:
        return assessments_of_patient_visible_to(user, patient_id)
    return assessments_visible_to(user)


def _patient_rows(request: SearchRequest, rows: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return apply(
        rows,
        [
            ids_q(request, "patient", "patient_id", "Patient"),
            ids_q(request, "subject", "patient_id", "Patient"),
            date_q(request, "_lastUpdated", "recorded_at"),
        ],
    )


def _questionnaire_q(request: SearchRequest) -> Q | None:
    values = request.values("questionnaire")
    if not values:
        return None
    wanted = set()
    for value in values:
        url = value.partition("|")[0]
        wanted |= {d.id for d in list_instruments() if d.questionnaire["url"] == url}
        if url.startswith("Questionnaire/"):
            wanted.add(instrument_id_from_fhir(url.removeprefix("Questionnaire/")))
    return Q(instrument_id__in=wanted)


def _identifier_q(request: SearchRequest) -> Q | None:
    values = request.values("identifier")
    if not values:
        return None
    ids = []
    for value in values:
        parsed = token(value)
        try:
            ids.append(client_id_for(parsed.system or "", parsed.code))
        except ResponseRejected:
            continue  # not a valid urn:uuid: matches nothing
    return Q(client_id__in=ids)


def _status_q(statuses: list[str]) -> Q | None:
    """completed = a complete assessment; in-progress = an incomplete one kept for its risk
    answer (questionnaire_response._RESPONSE_STATUS)."""
    if not statuses:
        return None
    wanted = {"completed": "complete", "in-progress": "incomplete"}
    return Q(status__in=[wanted[s] for s in statuses if s in wanted])


def search_questionnaire_responses(user: User, request: SearchRequest) -> Page:
    statuses = request.values("status")
    rows = _patient_rows(request, _visible_assessments(user, request))
    rows = apply(
        rows.filter(items_available=True).select_related("patient"),
        [
            ids_q(request, "_id", "id", "QuestionnaireResponse"),
            _questionnaire_q(request),
            _identifier_q(request),
            date_q(request, "authored", "completed_at"),
            _status_q(statuses),
        ],
    )
    found, total = window(ordered(rows, request, _SORT_FIELDS, _NEWEST_FIRST), request)
    matches = [r for r in (questionnaire_response_for(a) for a in found) if r is not None]
    page = Page(matches=matches, total=total, patient_ids={a.patient_id for a in found})
    if {"QuestionnaireResponse:subject", "QuestionnaireResponse:patient"} & set(request.includes):
        page.included += _patients_of(found)
    if "QuestionnaireResponse:questionnaire" in request.includes:
        definitions = {a.instrument_id: _definition(a.instrument_id) for a in found}
        page.included += [questionnaire_resource(d) for d in definitions.values() if d]
    return page


def _patients_of(assessments: list[Assessment]) -> list[Resource]:
    patients = {a.patient_id: a.patient for a in assessments}
    return [patient_resource(patient) for patient in patients.values()]


# ------------------------------------------------------------------ Observation


@cache
def _code_index() -> dict[str, set[tuple[str, str]]]:
    index = codes_by_token(list_instruments())
    for key, parts in list(index.items()):
        index.setdefault(key.partition("|")[2], set()).update(parts)  # code without system
    return index


def _wanted_parts(request: SearchRequest) -> set[tuple[str, str]] | None:
    """(instrument, part) pairs the code/_id parameters allow; None = no restriction."""
    wanted: set[tuple[str, str]] | None = None
    codes = request.values("code")
    if codes:
        wanted = set()
        for value in codes:
            parsed = token(value)
            key = f"{parsed.system}|{parsed.code}" if parsed.system else parsed.code
            wanted |= _code_index().get(key, set())
    return wanted


def _observation_id_q(request: SearchRequest) -> tuple[Q | None, set[str] | None]:
    values = request.values("_id")
    if not values:
        return None, None
    ids, parts = [], set()
    for value in values:
        assessment_id, part = _split_observation_id(value)
        if assessment_id is not None:
            ids.append(assessment_id)
            parts.add(f"{assessment_id}/{part}")
    return Q(id__in=ids), parts


def _split_observation_id(value: str) -> tuple[uuid.UUID | None, str]:
    if value.endswith(f"-{TOTAL}"):
        return as_uuid(value.removesuffix(f"-{TOTAL}")), TOTAL
    head, marker, link_id = value.partition("-item-")
    return (as_uuid(head), link_id) if marker else (None, "")


def _category_and_status_allow(request: SearchRequest) -> bool:
    statuses = request.values("status")
    categories = [token(v) for v in request.values("category")]
    status_ok = not statuses or "final" in statuses
    category_ok = not categories or any(
        c.code == "survey" and c.system in (None, OBSERVATION_CATEGORY) for c in categories
    )
    return status_ok and category_ok


def search_observations(user: User, request: SearchRequest) -> Page:
    wanted = _wanted_parts(request)
    id_q, wanted_ids = _observation_id_q(request)
    rows = _patient_rows(request, _visible_assessments(user, request))
    rows = apply(
        rows.select_related("patient"),
        [
            id_q,
            date_q(request, "date", "completed_at"),
            Q(instrument_id__in={i for i, _ in wanted}) if wanted is not None else None,
            None if _category_and_status_allow(request) else Q(pk__in=[]),
        ],
    )
    rows = ordered(rows, request, _SORT_FIELDS, _NEWEST_FIRST)
    return _observation_page(user, request, rows, wanted, wanted_ids)


def _walk(rows: QuerySet[Assessment], request: SearchRequest) -> Iterable[Assessment]:
    """The rows in order. One patient's history (tens of rows) is read in one round trip; a
    search over many patients streams through a server-side cursor in chunks, which costs a
    DECLARE, FETCHes and a CLOSE but bounds the memory."""
    return rows if _named_patient(request) is not None else rows.iterator(chunk_size=500)


def _parts(
    rows: Iterable[Assessment],
    wanted: set[tuple[str, str]] | None,
    wanted_ids: set[str] | None,
) -> Iterator[tuple[Assessment, InstrumentDefinition, str]]:
    for assessment in rows:
        definition = _definition(assessment.instrument_id)
        if definition is None:
            continue
        for part in observation_parts(assessment, definition):
            if wanted is not None and (assessment.instrument_id, part) not in wanted:
                continue
            if wanted_ids is not None and f"{assessment.id}/{part}" not in wanted_ids:
                continue
            yield assessment, definition, part


def _observation_page(
    user: User,
    request: SearchRequest,
    rows: QuerySet[Assessment],
    wanted: set[tuple[str, str]] | None,
    wanted_ids: set[str] | None,
) -> Page:
    page, chosen = Page(), []
    end = request.offset + (0 if request.summary_count else request.count)
    for position, found in enumerate(_parts(_walk(rows, request), wanted, wanted_ids)):
        page.total += 1
        if request.offset <= position < end:
            chosen.append(found)
    sources = selectors.import_sources(user.service_id, [a.id for a, _, _ in chosen])  # type: ignore[arg-type]
    page.matches = [
        observation_resource(a, d, part, source_identifier=sources.get(a.id))
        for a, d, part in chosen
    ]
    assessments = list({a.id: a for a, _, _ in chosen}.values())
    page.patient_ids = {a.patient_id for a in assessments}
    if {"Observation:subject", "Observation:patient"} & set(request.includes):
        page.included += _patients_of(assessments)
    if "Observation:derived-from" in request.includes:
        responses = (questionnaire_response_for(a) for a in assessments)
        page.included += [r for r in responses if r is not None]
    return page
