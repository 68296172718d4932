"""The SMART discovery document (/.well-known/smart-configuration, App Launch 2.x)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from careloop.fhir.smart.validator import advertised_scopes

CAPABILITIES = [
    "launch-standalone",
    "client-public",
    "client-confidential-symmetric",
    "context-standalone-patient",
    "permission-patient",
    "permission-user",
    "permission-offline",
    "permission-v1",
    "permission-v2",
]


def smart_configuration(request: HttpRequest) -> dict[str, Any]:
    def url(name: str) -> str:
        return request.build_absolute_uri(reverse(f"oauth2_provider:{name}"))

    return {
        "issuer": request.build_absolute_uri("/").rstrip("/"),
        "authorization_endpoint": url("authorize"),
        "token_endpoint": url("token"),
        "revocation_endpoint": url("revoke-token"),
        "introspection_endpoint": url("introspect"),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": advertised_scopes(),
        "capabilities": CAPABILITIES,
    }


@require_GET
def smart_configuration_view(request: HttpRequest) -> JsonResponse:
    """The document at the server root, for clients that look there instead of the FHIR base."""
    return JsonResponse(smart_configuration(request))
