"""SMART discovery at the FHIR base: GET /fhir/r4/.well-known/smart-configuration."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja import Router

from careloop.fhir.smart.discovery import smart_configuration

smart_router = Router(tags=["SMART on FHIR"])


@smart_router.get(
    "/.well-known/smart-configuration",
    auth=None,
    url_name="smart-configuration",
    summary="SMART App Launch configuration (OAuth endpoints, scopes, capabilities)",
)
def smart_configuration_endpoint(request: HttpRequest) -> JsonResponse:
    return JsonResponse(smart_configuration(request))
