"""Shared machinery of the FHIR endpoints: run a search or a read, audit it, shape the reply."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from pydantic import ConfigDict, Field

from careloop.accounts.api import api_user
from careloop.core import clock
from careloop.core.errors import NotFound
from careloop.core.http import client_ip
from careloop.fhir.canonical import inbound
from careloop.fhir.mapping.bundle import history, page_links, searchset
from careloop.fhir.mapping.common import instrument_fhir_id
from careloop.fhir.mapping.operation_outcome import operation_outcome
from careloop.fhir.rest.http import base_url, etag, fhir_response
from careloop.fhir.rest.patient_update import search_patients_with_own_contact
from careloop.fhir.search.assessments import (
    search_observations,
    search_questionnaire_responses,
)
from careloop.fhir.search.audit_events import search_audit_events
from careloop.fhir.search.care_plans import CarePlanPage, search_care_plans
from careloop.fhir.search.common import Page
from careloop.fhir.search.communications import search_communications
from careloop.fhir.search.consents import search_consents
from careloop.fhir.search.history import VERSIONED, History
from careloop.fhir.search.params import MAX_PAGE_SIZE, SearchRequest, parse_search
from careloop.fhir.search.provenance import search_provenance
from careloop.fhir.search.records import (
    search_care_teams,
    search_flags,
    search_practitioners,
    search_questionnaires,
)
from careloop.fhir.search.risk_assessments import search_risk_assessments
from careloop.fhir.services import FhirError, record_fhir_reads
from careloop.fhir.smart.auth import token_caller

if TYPE_CHECKING:
    from careloop.accounts.models import User

_PAGING = frozenset({"_count", "_offset", "_summary"})
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

Searcher = Callable[["User", SearchRequest], Page]  # a string: User is imported for types only
SEARCHERS: dict[str, Searcher] = {
    "Patient": search_patients_with_own_contact,  # the patient's own record: with telecom
    "Practitioner": search_practitioners,
    "CareTeam": search_care_teams,
    "Questionnaire": lambda user, request: search_questionnaires(request),
    "QuestionnaireResponse": search_questionnaire_responses,
    "Observation": search_observations,
    "Flag": search_flags,
    "Provenance": search_provenance,
    "CarePlan": search_care_plans,
    "RiskAssessment": search_risk_assessments,
    "AuditEvent": search_audit_events,
    "Consent": search_consents,
    "Communication": search_communications,
}


def _check_format(request: HttpRequest) -> None:
    for value in request.GET.getlist("_format"):
        if value not in JSON_FORMATS:
            raise FhirError(f"_format {value!r}: only JSON is served", 406)


def audit_reads(
    request: HttpRequest, user: User, resource_type: str, interaction: str, page: Page
) -> None:
    """One audit event per patient whose data the reply shows (see services.record_fhir_reads)."""
    caller = token_caller(request)
    record_fhir_reads(
        actor=user,
        resource_type=resource_type,
        interaction=interaction,
        patient_ids=page.patient_ids,
        source_ip=client_ip(request),
        client_id=caller.client_id if caller is not None else "",
        safety_plan_versions=page.safety_versions if isinstance(page, CarePlanPage) else (),
    )


def run_search(request: HttpRequest, resource_type: str) -> HttpResponse:
    user = api_user(request)
    _check_format(request)
    query = {name: request.GET.getlist(name) for name in request.GET}
    strict = "handling=strict" in request.headers.get("Prefer", "").replace(" ", "")
    # Values naming the configured canonical base are read as the mappers' own (fhir.canonical).
    search = parse_search(resource_type, inbound(query), strict=strict)
    query = {name: values for name, values in query.items() if name not in search.ignored}
    page = SEARCHERS[resource_type](user, search)
    audit_reads(request, user, resource_type, "search-type", page)
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
    if resource_type == "Questionnaire":
        # A client following the canonical (…/Questionnaire/audit_c) reads the instrument id:
        # answer with the resource, whose FHIR id spells '_' as '-' (audit-c).
        resource_id = instrument_fhir_id(resource_id)
    search = SearchRequest(resource_type, params={"_id": [resource_id]}, count=1)
    page = SEARCHERS[resource_type](user, search)
    found = [r for r in page.matches if r["id"] == resource_id]
    if not found:
        raise NotFound(f"{resource_type}/{resource_id}")
    audit_reads(request, user, resource_type, "read", page)
    tag = etag(found[0])
    if request.headers.get("If-None-Match") == tag:
        response = HttpResponse(status=304)
        response["ETag"] = tag
        return response
    return fhir_response(found[0], headers={"ETag": tag})


def _history_of(user: User, resource_type: str, resource_id: str) -> tuple[History, bool]:
    """(versions, complete): every version where the domain keeps them, else the current one."""
    versioned = VERSIONED.get(resource_type)
    if versioned is not None:
        found = versioned(user, resource_id)
        if found is None:
            raise NotFound(f"{resource_type}/{resource_id}")
        return found, True
    search = SearchRequest(resource_type, params={"_id": [resource_id]}, count=1)
    page = SEARCHERS[resource_type](user, search)
    current = [r for r in page.matches if r["id"] == resource_id]
    if not current:
        raise NotFound(f"{resource_type}/{resource_id}")
    patient_id = next(iter(page.patient_ids), None)
    return History(current, patient_id), False


def _audit_history(
    request: HttpRequest, user: User, resource_type: str, interaction: str, found: History
) -> None:
    patients = {found.patient_id} if found.patient_id is not None else set()
    audit_reads(request, user, resource_type, interaction, Page(patient_ids=patients))


def run_history(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    """GET [type]/[id]/_history: the versions, newest first, paged with _count/_offset."""
    user = api_user(request)
    _check_format(request)
    query = {name: request.GET.getlist(name) for name in request.GET}
    search = parse_search(resource_type, {k: v for k, v in query.items() if k in _PAGING})
    found, complete = _history_of(user, resource_type, resource_id)
    _audit_history(request, user, resource_type, "history-instance", found)
    count = min(search.count, MAX_PAGE_SIZE)
    shown = [] if search.summary_count else found.versions[search.offset : search.offset + count]
    base = base_url(request)
    links = page_links(
        f"{base}/{resource_type}/{resource_id}/_history",
        [],
        offset=search.offset,
        count=count,
        total=len(found.versions),
    )
    bundle = history(
        bundle_id=str(uuid.uuid4()),
        base_url=base,
        versions=shown,
        total=len(found.versions),
        links=links,
        complete=complete,
        now=clock.now(),
    )
    return fhir_response(bundle)


def run_vread(
    request: HttpRequest, resource_type: str, resource_id: str, version_id: str
) -> HttpResponse:
    """GET [type]/[id]/_history/[vid]: that version, or 404 if the resource never had it."""
    user = api_user(request)
    _check_format(request)
    found, _ = _history_of(user, resource_type, resource_id)
    matching = [r for r in found.versions if r["meta"]["versionId"] == version_id]
    if not matching:
        raise NotFound(f"version {version_id} of {resource_type}/{resource_id}")
    _audit_history(request, user, resource_type, "vread", found)
    tag = etag(matching[0])
    if request.headers.get("If-None-Match") == tag:
        response = HttpResponse(status=304)
        response["ETag"] = tag
        return response
    return fhir_response(matching[0], headers={"ETag": tag})
