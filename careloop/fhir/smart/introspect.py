"""Token introspection (RFC 7662) that answers only about tokens of the caller's own service.

django-oauth-toolkit's IntrospectTokenView tells any authenticated client everything about any
token (scope, expiry, client id, username), whichever service issued it: a client of service B
could learn who holds a token of service A, and whether it is still live. Here the caller (a
client authenticating with its credentials, or a bearer token with the `introspection` scope) is
resolved to its service through its SmartClient registration, and a token of any other service
(by its client, or by its user) is reported as `{"active": false}`, exactly like an unknown
token, so introspection is no oracle for other services' tokens either.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from oauth2_provider.models import get_access_token_model
from oauth2_provider.views import IntrospectTokenView
from oauthlib.common import Request as OauthlibRequest  # type: ignore[import-untyped]

from careloop.fhir.models import SmartClient

INACTIVE = {"active": False}


def _service_of(application: Any) -> uuid.UUID | None:
    if application is None:
        return None
    return (
        SmartClient.objects.filter(application=application)
        .values_list("service_id", flat=True)
        .first()
    )


class ServiceScopedIntrospectView(IntrospectTokenView):  # type: ignore[misc]  # untyped base
    """IntrospectTokenView, with the caller's service remembered and every answer scoped to it."""

    def authenticate_client(self, request: HttpRequest) -> bool:
        """As the base class (HTTP Basic or client credentials in the body), keeping the client."""
        core = self.get_oauthlib_core()
        uri, http_method, body, headers = core._extract_params(request)
        oauth_request = OauthlibRequest(uri, http_method, body, headers)
        if not core.server.request_validator.authenticate_client(oauth_request):
            return False
        request.introspecting_service = _service_of(oauth_request.client)  # type: ignore[attr-defined]
        return True

    def verify_request(self, request: HttpRequest) -> tuple[bool, Any]:
        """As the base class (a bearer token with `introspection`), keeping the token's client."""
        valid, oauth_request = super().verify_request(request)
        if valid:
            token = getattr(oauth_request, "access_token", None)
            application = getattr(token, "application", None)
            request.introspecting_service = _service_of(application)  # type: ignore[attr-defined]
        return valid, oauth_request

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._answer(request, request.GET.get("token"))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._answer(request, request.POST.get("token"))

    def _answer(self, request: HttpRequest, token_value: str | None) -> HttpResponse:
        caller_service = getattr(request, "introspecting_service", None)
        if token_value is not None and not _same_service(token_value, caller_service):
            return JsonResponse(INACTIVE)
        response: HttpResponse = self.get_token_response(token_value)
        return response


def _same_service(token_value: str, caller_service: uuid.UUID | None) -> bool:
    """The token was issued to a client of the caller's service, for a user of it (if any)."""
    if caller_service is None:
        return False
    checksum = hashlib.sha256(token_value.encode("utf-8")).hexdigest()
    token = (
        get_access_token_model()
        .objects.select_related("user", "application")
        .filter(token_checksum=checksum)
        .first()
    )
    if token is None:
        return True  # unknown: the base view answers inactive
    if _service_of(token.application) != caller_service:
        return False
    user_service = getattr(token.user, "service_id", None)
    return token.user is None or user_service == caller_service
