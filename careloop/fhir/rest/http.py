"""The FHIR edge's HTTP conventions: application/fhir+json, ETags, OperationOutcome errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer

from careloop.core.errors import DomainError
from careloop.fhir.canonical import outbound_text
from careloop.fhir.mapping.common import Resource
from careloop.fhir.mapping.operation_outcome import fhir_issue, operation_outcome
from careloop.fhir.search.params import SearchError

FHIR_JSON = "application/fhir+json"
logger = logging.getLogger(__name__)


class FhirJsonRenderer(BaseRenderer):
    media_type = FHIR_JSON
    charset = "utf-8"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return outbound_text(json.dumps(data, ensure_ascii=False))


def etag(resource: Resource) -> str:
    return f'W/"{resource["meta"]["versionId"]}"'


def fhir_response(
    resource: Resource, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    response = HttpResponse(
        # Careloop's URLs leave under the configured canonical base (careloop.fhir.canonical).
        outbound_text(json.dumps(resource, ensure_ascii=False)),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def outcome_response(
    status: int,
    message: str,
    *,
    written: str | None = None,
    issue_code: str | None = None,
    expression: Sequence[str] | None = None,
) -> HttpResponse:
    """The error as an OperationOutcome; `written`: the type of the resource the request sends,
    whose FHIR paths the diagnostics and `expression` then name (mapping.operation_outcome),
    unless the raiser located the error itself (`expression`, e.g. in a header)."""
    if expression is not None:
        diagnostics, where = message, list(expression)
    else:
        diagnostics, where = fhir_issue(written, message)
    outcome = operation_outcome(status, diagnostics, expression=where)
    if issue_code:
        outcome["issue"][0]["code"] = issue_code
    return fhir_response(outcome, status=status)


def written_type(request: HttpRequest) -> str | None:
    """The resource type a create or update sends (POST Type, PUT Type/id), else None."""
    if request.method not in ("POST", "PUT"):
        return None
    prefix = reverse("fhir:metadata").removesuffix("metadata")
    first = request.path.removeprefix(prefix).split("/", 1)[0]
    return first if request.path.startswith(prefix) and first[:1].isupper() else None


def base_url(request: HttpRequest) -> str:
    """The absolute service base, e.g. http://127.0.0.1:8000/fhir/r4."""
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("/metadata")


def _validation_message(error: ValidationError) -> str:
    problems = []
    for problem in error.errors[:10]:
        where = ".".join(str(part) for part in problem.get("loc", ()))
        problems.append(f"{where}: {problem.get('msg', 'invalid')}")
    return "; ".join(problems) or "invalid request"


def _in_query(loc: Sequence[object]) -> bool:
    return len(loc) >= 2 and loc[0] == "query" and isinstance(loc[1], str)


def fhir_path(resource_type: str, loc: Sequence[object]) -> str:
    """A pydantic error location in a `resource_type` body as a FHIR path: item.0.answer →
    QuestionnaireResponse.item[0].answer (the body's own prefixes left out)."""
    path = resource_type
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "body":
            path += f".{part}"
    return path


def _body_validation_message(error: ValidationError, resource_type: str) -> str:
    problems = [
        f"{fhir_path(resource_type, problem.get('loc', ()))}: {problem.get('msg', 'invalid')}"
        for problem in error.errors[:10]
    ]
    return "; ".join(problems) or "invalid request"


def install_fhir_error_handlers(api: NinjaAPI) -> None:
    """Every error leaves the FHIR edge as an OperationOutcome with its HTTP status."""

    @api.exception_handler(DomainError)
    def _domain(request: HttpRequest, error: DomainError) -> HttpResponse:
        return outcome_response(error.status_code, error.message, written=written_type(request))

    @api.exception_handler(SearchError)
    def _search(request: HttpRequest, error: SearchError) -> HttpResponse:
        # R4: an error in an HTTP parameter is located as "http." + the parameter name.
        where = [f"http.{error.parameter}"] if error.parameter else None
        return fhir_response(operation_outcome(400, str(error), expression=where), status=400)

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, error: ValidationError) -> HttpResponse:
        written = written_type(request)
        if written is not None and all("body" in p.get("loc", ()) for p in error.errors):
            return outcome_response(400, _body_validation_message(error, written), written=written)
        # R4: a bad HTTP (query) parameter is located as "http." + its name.
        where = [f"http.{p['loc'][1]}" for p in error.errors if _in_query(p.get("loc", ()))]
        outcome = operation_outcome(
            400, _validation_message(error), expression=list(dict.fromkeys(where))
        )
        return fhir_response(outcome, status=400)

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
