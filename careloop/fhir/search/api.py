"""Search endpoints (GET /<Type>). Parameters are declared for the OpenAPI document; the values
are read from the query string by careloop.fhir.search.params, which also refuses unknown ones."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.params.functions import Query
from pydantic import StringConstraints

from careloop.fhir.rest.capability import SUPPORTED
from careloop.fhir.rest.endpoints import ERRORS, FhirResource, run_history, run_search, run_vread

search_router = Router(tags=["search"])
RESPONSES = {200: FhirResource, **ERRORS}
# Query(...) defaults are how ninja declares parameters (B008 does not apply).
# ruff: noqa: B008
COUNT = Query(None, alias="_count", ge=0, le=999_999_999, description="page size (max 100 used)")
OFFSET = Query(None, alias="_offset", ge=0, le=999_999_999, description="from Bundle links")
LAST_UPDATED = Query(None, alias="_lastUpdated", description="date with prefix, e.g. ge2026-01-01")
# A FHIR date/dateTime with an optional search prefix (documents the form; search.py decides).
DateValue = Annotated[
    str,
    StringConstraints(
        pattern=r"^(eq|ne|gt|lt|ge|le|sa|eb)?"  # ap (approximately) is not supported
        r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"  # R4's year: never 0000
        r"(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])"
        r"(T([01][0-9]|2[0-3]):[0-5][0-9](:([0-5][0-9]|60)(\.[0-9]+)?)?"
        r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?)?)?)?$"
    ),
]
_DATED_SORT = r"^-?(date|_lastUpdated)(,-?(date|_lastUpdated))*$"
TOKEN = Query(None, description="[system|]code; a comma means OR")
SORT = Query(None, alias="_sort", pattern=_DATED_SORT, description="e.g. -date")
INCLUDE = Query(None, alias="_include")
ID = Query(None, alias="_id")
SUMMARY = Query(None, alias="_summary", description="count: total only")


@search_router.get("/Patient", response=RESPONSES, summary="Search Patient")
def search_patient(
    request: HttpRequest,
    id_: str | None = ID,
    name: str | None = None,
    gender: str | None = None,
    last_updated: list[DateValue] | None = LAST_UPDATED,
    sort: str | None = Query(None, alias="_sort", pattern=r"^-?_lastUpdated$"),
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "Patient")


@search_router.get("/Practitioner", response=RESPONSES, summary="Search Practitioner")
def search_practitioner(
    request: HttpRequest,
    id_: str | None = ID,
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "Practitioner")


@search_router.get("/CareTeam", response=RESPONSES, summary="Search CareTeam")
def search_care_team(
    request: HttpRequest,
    id_: str | None = ID,
    patient: str | None = None,
    status: str | None = None,
    include: list[Literal["CareTeam:participant"]] | None = INCLUDE,
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "CareTeam")


@search_router.get("/Questionnaire", response=RESPONSES, summary="Search Questionnaire")
def search_questionnaire(
    request: HttpRequest,
    id_: str | None = ID,
    url: str | None = None,
    name: str | None = None,
    status: str | None = None,
    code: str | None = None,
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "Questionnaire")


@search_router.get(
    "/QuestionnaireResponse", response=RESPONSES, summary="Search QuestionnaireResponse"
)
def search_questionnaire_response(
    request: HttpRequest,
    id_: str | None = ID,
    patient: str | None = None,
    subject: str | None = None,
    questionnaire: str | None = None,
    status: str | None = None,
    authored: list[DateValue] | None = Query(None, description="date with prefix"),
    identifier: str | None = None,
    last_updated: list[DateValue] | None = LAST_UPDATED,
    sort: str | None = Query(
        None, alias="_sort", pattern=r"^-?(authored|_lastUpdated)(,-?(authored|_lastUpdated))*$"
    ),
    include: list[
        Literal[
            "QuestionnaireResponse:subject",
            "QuestionnaireResponse:patient",
            "QuestionnaireResponse:questionnaire",
        ]
    ]
    | None = INCLUDE,
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "QuestionnaireResponse")


@search_router.get("/Observation", response=RESPONSES, summary="Search Observation")
def search_observation(
    request: HttpRequest,
    id_: str | None = ID,
    patient: str | None = None,
    subject: str | None = None,
    code: str | None = Query(None, description="[system|]code, e.g. http://loinc.org|44261-6"),
    date: list[DateValue] | None = Query(None, description="date with prefix, e.g. ge2026-01-01"),
    status: str | None = None,
    category: str | None = None,
    last_updated: list[DateValue] | None = LAST_UPDATED,
    sort: str | None = SORT,
    include: list[Literal["Observation:subject", "Observation:patient", "Observation:derived-from"]]
    | None = INCLUDE,
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "Observation")


@search_router.get("/Flag", response=RESPONSES, summary="Search Flag (safety alerts)")
def search_flag(
    request: HttpRequest,
    id_: str | None = ID,
    patient: str | None = None,
    subject: str | None = None,
    status: str | None = None,
    date: list[DateValue] | None = Query(None, description="date with prefix"),
    last_updated: list[DateValue] | None = LAST_UPDATED,
    sort: str | None = SORT,
    include: list[Literal["Flag:subject", "Flag:patient"]] | None = INCLUDE,
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "Flag")


@search_router.get("/Provenance", response=RESPONSES, summary="Search Provenance (imports)")
def search_provenance(
    request: HttpRequest,
    id_: str | None = ID,
    patient: str | None = None,
    target: str | None = Query(None, description="Observation/<id>-total or Patient/<id>"),
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "Provenance")


@search_router.get("/CarePlan", response=RESPONSES, summary="Search CarePlan")
def search_care_plan(
    request: HttpRequest,
    id_: str | None = ID,
    patient: str | None = None,
    subject: str | None = None,
    status: str | None = TOKEN,
    category: str | None = Query(None, description="measurement-plan or safety-plan"),
    last_updated: list[DateValue] | None = LAST_UPDATED,
    sort: str | None = Query(None, alias="_sort", pattern=r"^-?_lastUpdated$"),
    include: list[Literal["CarePlan:subject", "CarePlan:patient"]] | None = INCLUDE,
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "CarePlan")


@search_router.get(
    "/RiskAssessment", response=RESPONSES, summary="Search RiskAssessment (automated alerts)"
)
def search_risk_assessment(
    request: HttpRequest,
    id_: str | None = ID,
    patient: str | None = None,
    subject: str | None = None,
    date: list[DateValue] | None = Query(None, description="date with prefix"),
    method: str | None = Query(None, description="rule id, e.g. instrument_risk_item"),
    status: str | None = TOKEN,
    last_updated: list[DateValue] | None = LAST_UPDATED,
    sort: str | None = SORT,
    include: list[Literal["RiskAssessment:subject", "RiskAssessment:patient"]] | None = INCLUDE,
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "RiskAssessment")


@search_router.get(
    "/AuditEvent", response=RESPONSES, summary="Search AuditEvent (one patient's audit trail)"
)
def search_audit_event(
    request: HttpRequest,
    id_: str | None = ID,
    patient: str | None = Query(None, description="required for staff: Patient/<id>"),
    date: list[DateValue] | None = Query(None, description="date with prefix"),
    agent: str | None = Query(None, description="Practitioner/<id> or Patient/<id>"),
    action: str | None = Query(None, description="C, R, U, D or E"),
    sort: str | None = Query(None, alias="_sort", pattern=r"^-?date$"),
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "AuditEvent")


@search_router.get("/Consent", response=RESPONSES, summary="Search Consent (decisions)")
def search_consent(
    request: HttpRequest,
    id_: str | None = ID,
    patient: str | None = None,
    status: str | None = Query(None, description="active, rejected or inactive"),
    purpose: str | None = Query(None, description="v3-ActReason code, e.g. HRESCH"),
    date: list[DateValue] | None = Query(None, description="date with prefix"),
    last_updated: list[DateValue] | None = LAST_UPDATED,
    sort: str | None = SORT,
    include: list[Literal["Consent:patient"]] | None = INCLUDE,
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "Consent")


@search_router.get("/Communication", response=RESPONSES, summary="Search Communication")
def search_communication(
    request: HttpRequest,
    id_: str | None = ID,
    patient: str | None = None,
    subject: str | None = None,
    sent: list[DateValue] | None = Query(None, description="date with prefix"),
    sender: str | None = Query(None, description="Patient/<id> or Practitioner/<id>"),
    status: str | None = TOKEN,
    last_updated: list[DateValue] | None = LAST_UPDATED,
    sort: str | None = Query(
        None, alias="_sort", pattern=r"^-?(sent|_lastUpdated)(,-?(sent|_lastUpdated))*$"
    ),
    include: list[Literal["Communication:subject", "Communication:patient"]] | None = INCLUDE,
    count: int | None = COUNT,
    offset: int | None = OFFSET,
    summary: Literal["count", "false"] | None = SUMMARY,
) -> HttpResponse:
    return run_search(request, "Communication")


def _register_history(resource_type: str) -> None:
    def instance_history(
        request: HttpRequest,
        resource_id: str,
        count: int | None = COUNT,
        offset: int | None = OFFSET,
    ) -> HttpResponse:
        return run_history(request, resource_type, resource_id)

    def vread(request: HttpRequest, resource_id: str, version_id: str) -> HttpResponse:
        return run_vread(request, resource_type, resource_id, version_id)

    search_router.get(
        f"/{resource_type}/{{resource_id}}/_history",
        response=RESPONSES,
        operation_id=f"history{resource_type}",
        summary=f"History of one {resource_type} (newest first)",
    )(instance_history)
    search_router.get(
        f"/{resource_type}/{{resource_id}}/_history/{{version_id}}",
        response=RESPONSES,
        operation_id=f"vread{resource_type}",
        summary=f"Read one version of a {resource_type}",
    )(vread)


for _resource_type in SUPPORTED:
    _register_history(_resource_type)
