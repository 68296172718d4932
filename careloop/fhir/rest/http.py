"""The FHIR edge's HTTP conventions: application/fhir+json, ETags, OperationOutcome errors."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer

from careloop.core.errors import DomainError
from careloop.fhir.mapping.common import Resource
from careloop.fhir.mapping.operation_outcome import operation_outcome
from careloop.fhir.search.params import SearchError

FHIR_JSON = "application/fhir+json"
logger = logging.getLogger(__name__)


class FhirJsonRenderer(BaseRenderer):
    media_type = FHIR_JSON
    charset = "utf-8"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return json.dumps(data, ensure_ascii=False)


def etag(resource: Resource) -> str:
    return f'W/"{resource["meta"]["versionId"]}"'


def fhir_response(
    resource: Resource, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(resource, ensure_ascii=False),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def outcome_response(status: int, message: str) -> HttpResponse:
    return fhir_response(operation_outcome(status, message), status=status)


def base_url(request: HttpRequest) -> str:
    """The absolute service base, e.g. http://127.0.0.1:8000/fhir/r4."""
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("/metadata")


def _validation_message(error: ValidationError) -> str:
    problems = []
    for problem in error.errors[:10]:
        where = ".".join(str(part) for part in problem.get("loc", ()))
        problems.append(f"{where}: {problem.get('msg', 'invalid')}")
    return "; ".join(problems) or "invalid request"


def install_fhir_error_handlers(api: NinjaAPI) -> None:
    """Every error leaves the FHIR edge as an OperationOutcome with its HTTP status."""

    @api.exception_handler(DomainError)
    def _domain(request: HttpRequest, error: DomainError) -> HttpResponse:
        return outcome_response(error.status_code, error.message)

    @api.exception_handler(SearchError)
    def _search(request: HttpRequest, error: SearchError) -> HttpResponse:
        return outcome_response(400, str(error))

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, error: ValidationError) -> HttpResponse:
        return outcome_response(400, _validation_message(error))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        response = outcome_response(401, "sign in first (session authentication)")
        response["WWW-Authenticate"] = 'Cookie realm="careloop"'
        return response

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, error: HttpError) -> HttpResponse:
        return outcome_response(error.status_code, str(error))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        return outcome_response(404, "not found")

    @api.exception_handler(MultiPartParserError)
    def _malformed_form(request: HttpRequest, error: MultiPartParserError) -> HttpResponse:
        # E.g. multipart/form-data without a boundary, met by the CSRF check: a client error.
        return outcome_response(400, f"malformed form body: {error}")

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
        logger.exception("FHIR request failed: %s %s", request.method, request.path)
        return outcome_response(500, "internal error; the request was not completed")
