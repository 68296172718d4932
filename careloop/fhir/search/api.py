"""Search endpoints (GET /<Type>), generated from the declared search parameters
(careloop.fhir.search.parameters) and the capability table (sort keys, includes), so the OpenAPI
document, the CapabilityStatement and the parser cannot drift apart. The parameters are declared
for the OpenAPI document; the values are read from the query string by
careloop.fhir.search.params, which also refuses unknown ones."""

from __future__ import annotations

import inspect
import re
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.params.functions import Query
from pydantic import StringConstraints

from careloop.fhir.rest.capability import SUPPORTED, TypeSupport
from careloop.fhir.rest.endpoints import ERRORS, FhirResource, run_history, run_search, run_vread
from careloop.fhir.search.parameters import SEARCHES, SearchParameter

search_router = Router(tags=["search"])
RESPONSES = {200: FhirResource, **ERRORS}
# A FHIR date/dateTime with an optional search prefix (documents the form; search.params decides).
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
_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD
COUNT = Query(None, alias="_count", ge=0, le=999_999_999, description="page size (max 100 used)")
OFFSET = Query(None, alias="_offset", ge=0, le=999_999_999, description="from Bundle links")
SUMMARY = Query(None, alias="_summary", description="count: total only")


def _python_name(name: str) -> str:
    """`_id` → `id_`, `_lastUpdated` → `last_updated`: the view argument (and OpenAPI title)."""
    if name == "_id":
        return "id_"
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name.lstrip("_")).lower()


def _parameter(declared: SearchParameter) -> inspect.Parameter:
    annotation: Any = list[DateValue] | None if declared.type == "date" else str | None
    options: dict[str, Any] = {}
    if declared.name.startswith("_"):
        options["alias"] = declared.name
    if declared.description:
        options["description"] = declared.description
    default = Query(None, **options) if options else None
    return inspect.Parameter(
        _python_name(declared.name), _KEYWORD, default=default, annotation=annotation
    )


def _sort_pattern(keys: tuple[str, ...]) -> str:
    if len(keys) == 1:
        return rf"^-?{keys[0]}$"
    either = "|".join(keys)
    return rf"^-?({either})(,-?({either}))*$"


def _control_parameters(support: TypeSupport, sort_hint: str) -> list[inspect.Parameter]:
    """_sort and _include (where the type has them), then paging and _summary."""
    controls = []
    if support.sorts:
        pattern = _sort_pattern(support.sorts)
        sort = (
            Query(None, alias="_sort", pattern=pattern, description=sort_hint)
            if sort_hint
            else Query(None, alias="_sort", pattern=pattern)
        )
        controls.append(inspect.Parameter("sort", _KEYWORD, default=sort, annotation=str | None))
    if support.includes:
        include = Query(None, alias="_include")
        # Literal of the type's includes, built at run time (mypy cannot follow it).
        annotation: Any = list[Literal.__getitem__(support.includes)] | None  # type: ignore[misc]
        controls.append(
            inspect.Parameter("include", _KEYWORD, default=include, annotation=annotation)
        )
    return [
        *controls,
        inspect.Parameter("count", _KEYWORD, default=COUNT, annotation=int | None),
        inspect.Parameter("offset", _KEYWORD, default=OFFSET, annotation=int | None),
        inspect.Parameter(
            "summary", _KEYWORD, default=SUMMARY, annotation=Literal["count", "false"] | None
        ),
    ]


def _snake(resource_type: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", resource_type).lower()


def _register_search(resource_type: str) -> None:
    declared = SEARCHES[resource_type]

    def search(request: HttpRequest, **_query: Any) -> HttpResponse:
        return run_search(request, resource_type)

    request_parameter = inspect.Parameter("request", _KEYWORD, annotation=HttpRequest)
    parameters = [_parameter(p) for p in declared.parameters]
    controls = _control_parameters(SUPPORTED[resource_type], declared.sort_hint)
    search.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [request_parameter, *parameters, *controls], return_annotation=HttpResponse
    )
    search.__name__ = f"search_{_snake(resource_type)}"
    search_router.get(
        f"/{resource_type}",
        response=RESPONSES,
        summary=declared.summary,
        # The id the hand-written endpoints had (module careloop.fhir.api_search), kept so the
        # OpenAPI document and any client generated from it stay the same.
        operation_id=f"careloop_fhir_api_search_search_{_snake(resource_type)}",
    )(search)


for _resource_type in SEARCHES:
    _register_search(_resource_type)


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
