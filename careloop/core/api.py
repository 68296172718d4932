"""Shared piece of the JSON API edge: one error shape, and every status the edge can answer.

Every error the API answers has one shape, `ApiError`: a human-readable `detail` string, plus,
for a request that failed validation (422), a structured `errors` list naming each field. Before
this, ninja's own 422 put the list of pydantic errors in `detail`, where every endpoint
documented a string (schemathesis counted 17 responses that broke the published schema).

`declare_edge_errors` then declares, on every operation of an API, the statuses that the edge
(not the handler) can answer, so the OpenAPI document lists every status a client can get:
- 400: a malformed body (not JSON, a multipart body without a boundary, JSON nested too deep
  for careloop.core.limits);
- 413: a body larger than JSON_MAX_BODY_BYTES (careloop.core.limits);
- 401 and 403: not signed in; CSRF check failed (or the staff MFA gate), on authenticated
  operations;
- 422: a path, query or body parameter that does not validate, on operations taking any.
A handler's own statuses (404 for what it cannot show you, 409, ...) stay declared by the
handler in its `response={...}`; their schema is replaced by `ApiError` too, so the document has
one error schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError
from pydantic import BeforeValidator, Field

from careloop.core.errors import DomainError

# How many field problems the one-line `detail` names (all of them are in `errors`).
_DETAIL_PROBLEMS = 3


def _iso_text_only(value: object) -> object:
    """Only ISO 8601 text (or a datetime) is a time here: pydantic's lax mode reads a number, or
    text such as "0.5", as seconds since 1970 (a check-in sent with `completed_at: 0` was
    stored as 1 January 1970), which the published `format: date-time` does not allow."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    raise ValueError("expected an ISO 8601 date-time, e.g. 2026-03-01T10:00:00+00:00")


# A date-time parameter or field of the JSON API: ISO 8601 text only (see _iso_text_only).
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text_only)]


class FieldError(Schema):
    """One field that did not validate."""

    loc: list[str | int] = Field(
        description='Where: the source ("body", "query", "path") then the field path'
    )
    msg: str = Field(description="What is wrong, in words")
    type: str = Field(description="A stable machine-readable code, e.g. missing, int_parsing")


class ApiError(Schema):
    """The one error shape of the JSON API."""

    detail: str = Field(description="What went wrong, in words safe to show to the user")
    errors: list[FieldError] = Field(
        default_factory=list,
        description="Each field that did not validate (422 validation errors only)",
    )


def _field_errors(error: ValidationError) -> list[FieldError]:
    # Only where, what and a code: never the submitted input (it may be clinical text).
    return [
        FieldError(
            loc=[part if isinstance(part, int) else str(part) for part in problem.get("loc", ())],
            msg=str(problem.get("msg", "invalid")),
            type=str(problem.get("type", "invalid")),
        )
        for problem in error.errors
    ]


def _summary(errors: list[FieldError]) -> str:
    parts = [f"{'.'.join(map(str, e.loc[1:] or e.loc))}: {e.msg}" for e in errors]
    more = len(parts) - _DETAIL_PROBLEMS
    shown = "; ".join(parts[:_DETAIL_PROBLEMS]) + (f" (and {more} more)" if more > 0 else "")
    return f"Invalid request: {shown}" if parts else "Invalid request"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def _domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
        body = ApiError(detail=error.message)
        return api.create_response(request, body.model_dump(), status=error.status_code)

    @api.exception_handler(ValidationError)
    def _validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
        errors = _field_errors(error)
        body = ApiError(detail=_summary(errors), errors=errors)
        return api.create_response(request, body.model_dump(), status=422)

    @api.exception_handler(MultiPartParserError)
    def _malformed_multipart(request: HttpRequest, error: MultiPartParserError) -> HttpResponse:
        # Django raises this while reading a form body (the CSRF check reads it first), e.g. for
        # `multipart/form-data` without a boundary; ninja would otherwise answer 500.
        body = ApiError(detail=f"Malformed form body: {error}")
        return api.create_response(request, body.model_dump(), status=400)


# Statuses the edge can answer for any operation / for authenticated ones / for ones with params.
EVERY_OPERATION = (400, 413)
AUTHENTICATED = (401, 403)
WITH_PARAMETERS = (422,)


def declare_edge_errors(api: NinjaAPI) -> None:
    """Declare the edge's statuses on every operation, and `ApiError` as every error's schema.

    Call once, after every router is added. It reads ninja's bound operations (the ones that
    serve requests and build the OpenAPI document); tests/test_openapi pins the outcome.
    """
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                _declare(operation)


def _declare(operation: Any) -> None:
    models: dict[Any, Any] = operation.response_models
    statuses = set(EVERY_OPERATION)
    if operation.auth_callbacks:
        statuses.update(AUTHENTICATED)
    if operation.models:
        statuses.update(WITH_PARAMETERS)
    statuses.update(s for s in models if isinstance(s, int) and s >= 400)
    error_model = operation._create_response_model(ApiError)
    for status in statuses:
        models[status] = error_model
