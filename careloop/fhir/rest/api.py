"""The FHIR R4 REST endpoint (/fhir/r4/): its own NinjaAPI, so errors are OperationOutcomes and
its OpenAPI document (/fhir/r4/openapi.json) stays separate from the app's JSON API.

Thin edge: parse, call a searcher or service (access built in through the selectors), audit what
was shown, reply in application/fhir+json.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.params.functions import Body, Header
from ninja.security import django_auth
from pydantic import ConfigDict, Field
from pydantic import ValidationError as PydanticError

from careloop.accounts.api import api_user
from careloop.core import clock
from careloop.core.text import valid_json_text
from careloop.fhir.bulk.api import bulk_router
from careloop.fhir.canonical import inbound
from careloop.fhir.mapping.valuesets import value_set_violations
from careloop.fhir.rest.capability import SUPPORTED, capability_statement
from careloop.fhir.rest.conformance import conformance_router
from careloop.fhir.rest.endpoints import ERRORS, FhirResource, QuestionnaireResponseIn, run_read
from careloop.fhir.rest.http import (
    FhirJsonRenderer,
    base_url,
    etag,
    fhir_path,
    fhir_response,
    install_fhir_error_handlers,
    outcome_response,
    written_type,
)
from careloop.fhir.rest.patient_update import update_own_patient
from careloop.fhir.search.api import search_router
from careloop.fhir.search.assessments import questionnaire_response_for
from careloop.fhir.services import FhirError, create_questionnaire_response
from careloop.fhir.smart.api import smart_router
from careloop.fhir.smart.auth import SmartBearer, install_smart_errors

SOFTWARE_VERSION = "0.1.0"

fhir_api = NinjaAPI(
    title="Careloop FHIR R4",
    version="4.0.1",
    description=(
        "FHIR R4 (4.0.1) REST endpoint. OAuth 2.0 bearer tokens (SMART on FHIR; see "
        "/fhir/r4/.well-known/smart-configuration) or the session cookie; see /fhir/r4/metadata."
    ),
    urls_namespace="fhir",
    renderer=FhirJsonRenderer(),
    # A bearer token, when sent, decides alone (careloop.fhir.smart.auth); else the session.
    auth=[SmartBearer(), django_auth],
)
install_fhir_error_handlers(fhir_api)
install_smart_errors(fhir_api)


@fhir_api.get(
    "/metadata",
    auth=None,
    url_name="metadata",
    # The id ninja gave it when this module was careloop.fhir.api (the OpenAPI document keeps it).
    operation_id="careloop_fhir_api_metadata",
    response={200: FhirResource},
    summary="CapabilityStatement: what this server supports",
)
def metadata(request: HttpRequest) -> HttpResponse:
    return fhir_response(capability_statement(base_url(request), SOFTWARE_VERSION, clock.now()))


def _register_read(resource_type: str) -> None:
    def read(request: HttpRequest, resource_id: str) -> HttpResponse:
        return run_read(request, resource_type, resource_id)

    fhir_api.get(
        f"/{resource_type}/{{resource_id}}",
        response={200: FhirResource, **ERRORS},
        operation_id=f"read{resource_type}",
        summary=f"Read one {resource_type}",
    )(read)


for _resource_type in SUPPORTED:
    _register_read(_resource_type)


@fhir_api.exception_handler(FhirError)
def _fhir_error(request: HttpRequest, error: FhirError) -> HttpResponse:
    return outcome_response(
        error.status_code,
        error.message,
        written=written_type(request),
        issue_code=error.issue_code,
        expression=error.expression,
    )


class PatientIn(Schema):
    """A Patient update body: the resource as read, with telecom/communication changed."""

    model_config = ConfigDict(extra="allow")
    resourceType: Literal["Patient"]  # noqa: N815 (FHIR's own element name)
    id: str = Field(min_length=1, max_length=64)


# Same path as the read, so the one path answers GET and PUT (PATCH and DELETE stay 405).
@fhir_api.put(
    "/Patient/{resource_id}",
    response={200: FhirResource, **ERRORS, 412: FhirResource, 422: FhirResource, 428: FhirResource},
    operation_id="updatePatient",
    summary="Update your own contact details (telecom) and preferred language (communication)",
    description=(
        "For the patient themself only (a patient/Patient.write or user/Patient.write token, or "
        'the session with X-CSRFToken); staff get 403. Requires If-Match: W/"<versionId>" of '
        "the version read (428 without it, 412 when stale). Only telecom (one phone in E.164, "
        "one e-mail) and communication (one BCP-47 language) may change: any other element "
        "must equal the current one or be absent (422 names it)."
    ),
)
def update_patient(
    request: HttpRequest,
    resource_id: str,
    body: PatientIn = Body(...),  # noqa: B008 (ninja declares parameters this way)
    if_match: str | None = Header(None, alias="If-Match"),
) -> HttpResponse:
    user = api_user(request)
    resource = valid_json_text(json.loads(request.body))  # U+D800 -> U+FFFD (HZ-024)
    resource = inbound(resource)  # either canonical base is understood (fhir.canonical)
    _checked_resource(resource, "Patient")
    updated = update_own_patient(
        resource, actor=user, patient_id=resource_id, if_match=request.headers.get("If-Match")
    )
    return fhir_response(updated, headers={"ETag": etag(updated)})


def _checked_resource(resource: Any, resource_type: str) -> None:
    """Structure (R4B) and required value sets; failures are the client's (400)."""
    if not isinstance(resource, dict) or resource.get("resourceType") != resource_type:
        raise FhirError(f"the body must be a {resource_type}", 400)
    # Imported here, not at the top: the R4B models take ~0.2 s to import, and this module is
    # loaded with the URLconf on a server's first request (whatever its path).
    from fhir.resources.R4B import get_fhir_model_class

    try:
        get_fhir_model_class(resource_type).model_validate(resource)
    except PydanticError as error:
        problems = [
            f"{fhir_path(resource_type, e['loc'])}: {e['msg']}" for e in error.errors()[:10]
        ]
        raise FhirError(f"invalid {resource_type}: " + "; ".join(problems), 400) from None
    violations = value_set_violations(resource)
    if violations:
        raise FhirError("codes outside their required value set: " + ", ".join(violations), 400)


# On the search router: one path, one view for GET (search) and POST (create).
@search_router.post(
    "/QuestionnaireResponse",
    response={
        200: FhirResource,
        201: FhirResource,
        **ERRORS,
        409: FhirResource,
        412: FhirResource,
        422: FhirResource,
    },
    operation_id="careloop_fhir_api_create_response",  # as before the move (see metadata)
    summary="Create (score and store) a completed QuestionnaireResponse",
    description=(
        "Scored and stored exactly like an app submission. The identifier (urn:uuid) is the "
        "client id: re-sending the same response returns the stored one (200). "
        "If-None-Exist: identifier=[system|]value for conditional create."
    ),
)
def create_response(
    request: HttpRequest,
    body: QuestionnaireResponseIn = Body(...),  # noqa: B008 (ninja declares parameters this way)
    if_none_exist: str | None = Header(None, alias="If-None-Exist"),
) -> HttpResponse:
    user = api_user(request)
    # The declared body documents and pre-checks the shape; the resource itself is the raw JSON
    # (every element, including ones the declaration does not name).
    resource = valid_json_text(json.loads(request.body))  # U+D800 -> U+FFFD (HZ-024)
    resource = inbound(resource)  # either canonical base is understood (fhir.canonical)
    _checked_resource(resource, "QuestionnaireResponse")
    assessment, created = create_questionnaire_response(
        resource, actor=user, if_none_exist=request.headers.get("If-None-Exist")
    )
    stored = questionnaire_response_for(assessment)
    if stored is None:  # the matched record holds a total only (imported); nothing to return
        raise FhirError("the matching record has no item answers", 409)
    tag = etag(stored)
    location = f"{base_url(request)}/QuestionnaireResponse/{stored['id']}"
    headers = {"ETag": tag, "Location": f"{location}/_history/{stored['meta']['versionId']}"}
    return fhir_response(stored, status=201 if created else 200, headers=headers)


fhir_api.add_router("", search_router)
fhir_api.add_router("", smart_router)
fhir_api.add_router("", bulk_router)
fhir_api.add_router("", conformance_router)
