"""URLs under /fhir/r4/: the FHIR NinjaAPI, then an OperationOutcome 404 for anything else."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path

from careloop.fhir.rest.api import fhir_api
from careloop.fhir.rest.http import FHIR_JSON, outcome_response


def _outcome_for_bare_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with a bare 405; FHIR clients expect an OperationOutcome."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and FHIR_JSON not in response.get("Content-Type", ""):
            outcome = outcome_response(405, f"{request.method} is not supported here")
            outcome["Allow"] = response.get("Allow", "")
            return outcome
        return response

    return wrapper


def unknown_endpoint(request: HttpRequest, path: str) -> HttpResponse:
    return outcome_response(404, f"no FHIR endpoint at /{path}")


def _wrapped(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _outcome_for_bare_405(pattern.callback)
    return patterns


_api_patterns, _ninja_app_name, _namespace = fhir_api.urls
app_name = _namespace  # "fhir": reverse("fhir:metadata")
urlpatterns = [
    *_wrapped(list(_api_patterns)),
    re_path(r"^(?P<path>.*)$", unknown_endpoint),
]
