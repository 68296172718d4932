"""Shared machinery of the FHIR endpoints: run a search or a read, audit it, shape the reply."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from pydantic import ConfigDict, Field

from careloop.accounts.api import api_user
from careloop.accounts.models import User
from careloop.core import clock
from careloop.core.errors import NotFound
from careloop.fhir.http import base_url, etag, fhir_response
from careloop.fhir.resources.bundle import page_links, searchset
from careloop.fhir.resources.operation_outcome import operation_outcome
from careloop.fhir.search import SearchRequest, parse_search
from careloop.fhir.search_assessments import (
    search_observations,
    search_questionnaire_responses,
)
from careloop.fhir.search_common import Page
from careloop.fhir.search_provenance import search_provenance
from careloop.fhir.search_records import (
    search_care_teams,
    search_flags,
    search_patients,
    search_practitioners,
    search_questionnaires,
)
from careloop.fhir.services import FhirError, record_fhir_reads

JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json"})


class FhirResource(Schema):
    """Any FHIR resource (validated by the mappers, not by this schema)."""

    model_config = ConfigDict(extra="allow")
    resourceType: str  # noqa: N815 (FHIR's own element name)


class ReferenceIn(Schema):
    model_config = ConfigDict(extra="allow")
    reference: str = Field(min_length=1, pattern=r"^\S+$")


class QuestionnaireResponseIn(Schema):
    """The elements a created QuestionnaireResponse needs (the rest is checked with R4B)."""

    model_config = ConfigDict(extra="allow")
    resourceType: Literal["QuestionnaireResponse"]  # noqa: N815
    status: Literal["in-progress", "completed", "amended", "entered-in-error", "stopped"]
    questionnaire: str = Field(
        min_length=1, pattern=r"^\S+$", description="e.g. Questionnaire/phq9 or its canonical URL"
    )
    subject: ReferenceIn
    item: list[dict[str, Any]] = Field(default_factory=list)


ERRORS: dict[int, type[Schema]] = dict.fromkeys((400, 401, 403, 404, 406), FhirResource)

Searcher = Callable[[User, SearchRequest], Page]
SEARCHERS: dict[str, Searcher] = {
    "Patient": search_patients,
    "Practitioner": search_practitioners,
    "CareTeam": search_care_teams,
    "Questionnaire": lambda user, request: search_questionnaires(request),
    "QuestionnaireResponse": search_questionnaire_responses,
    "Observation": search_observations,
    "Flag": search_flags,
    "Provenance": search_provenance,
}


def _source_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _check_format(request: HttpRequest) -> None:
    for value in request.GET.getlist("_format"):
        if value not in JSON_FORMATS:
            raise FhirError(f"_format {value!r}: only JSON is served", 406)


def run_search(request: HttpRequest, resource_type: str) -> HttpResponse:
    user = api_user(request)
    _check_format(request)
    query = {name: request.GET.getlist(name) for name in request.GET}
    strict = "handling=strict" in request.headers.get("Prefer", "").replace(" ", "")
    search = parse_search(resource_type, query, strict=strict)
    query = {name: values for name, values in query.items() if name not in search.ignored}
    page = SEARCHERS[resource_type](user, search)
    record_fhir_reads(
        actor=user,
        resource_type=resource_type,
        interaction="search-type",
        patient_ids=page.patient_ids,
        source_ip=_source_ip(request),
    )
    base = base_url(request)
    links = page_links(
        f"{base}/{resource_type}",
        [(name, value) for name, values in query.items() for value in values],
        offset=search.offset,
        count=search.count,
        total=page.total,
    )
    bundle = searchset(
        bundle_id=str(uuid.uuid4()),
        base_url=base,
        matches=page.matches,
        included=page.included,
        total=page.total,
        links=links,
        now=clock.now(),
    )
    if search.ignored:
        warning = operation_outcome(
            400, f"ignored unsupported search parameter(s): {', '.join(search.ignored)}",
            severity="warning",
        )  # fmt: skip
        bundle.setdefault("entry", []).append({"resource": warning, "search": {"mode": "outcome"}})
    return fhir_response(bundle)


def run_read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    user = api_user(request)
    _check_format(request)
    search = SearchRequest(resource_type, params={"_id": [resource_id]}, count=1)
    page = SEARCHERS[resource_type](user, search)
    found = [r for r in page.matches if r["id"] == resource_id]
    if not found:
        raise NotFound(f"{resource_type}/{resource_id}")
    record_fhir_reads(
        actor=user,
        resource_type=resource_type,
        interaction="read",
        patient_ids=page.patient_ids,
        source_ip=_source_ip(request),
    )
    tag = etag(found[0])
    if request.headers.get("If-None-Match") == tag:
        response = HttpResponse(status=304)
        response["ETag"] = tag
        return response
    return fhir_response(found[0], headers={"ETag": tag})
