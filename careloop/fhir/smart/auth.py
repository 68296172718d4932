"""Who is calling the FHIR endpoint: a session (the app's own pages) or an OAuth bearer token.

A bearer token is resolved to its user, scopes and registered client, then held to its scopes
before any endpoint runs:
- `user/` scopes: the user's own access (care selectors decide which patients);
- `patient/` scopes: only a patient's token, so the same selectors give their own compartment;
- `system/` scopes: a backend service of one service, for bulk export (and metadata) only.
A missing, unknown, revoked or expired token is 401 with `WWW-Authenticate: Bearer`; a token
whose scopes do not cover the resource type and interaction is 403 `insufficient_scope`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from oauth2_provider.models import get_access_token_model

from careloop.accounts.types import Role
from careloop.fhir.models import SmartClient
from careloop.fhir.rest.capability import SUPPORTED
from careloop.fhir.rest.http import outcome_response
from careloop.fhir.smart.scopes import (
    InvalidScope,
    ResourceScope,
    granted,
    parse_scope,
)
from careloop.fhir.types import ClientKind

if TYPE_CHECKING:
    from careloop.accounts.models import User

REALM = "careloop"
BULK_PATHS = ("bulkstatus", "bulkfiles")
_PERMISSION_FOR_METHOD = {"POST": "c", "PUT": "u", "PATCH": "u", "DELETE": "d"}


class SmartAuthError(Exception):
    """A bearer-token request refused: 401 (no usable token) or 403 (not in its scopes)."""

    def __init__(self, status: int, message: str, error: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = error

    @property
    def challenge(self) -> str:
        if self.error is None:
            return f'Bearer realm="{REALM}"'
        description = self.message.replace('"', "'")
        return f'Bearer realm="{REALM}", error="{self.error}", error_description="{description}"'


@dataclass(frozen=True)
class TokenCaller:
    """What ninja puts on `request.auth` for a bearer-token request."""

    client: SmartClient
    user: User | None
    scopes: tuple[ResourceScope, ...] = field(default=())
    scope_text: str = ""
    client_id: str = ""  # the OAuth client_id (named in the audit of what the token read)

    @property
    def is_system(self) -> bool:
        return self.client.kind == ClientKind.SYSTEM


def _parsed(scope_text: str) -> tuple[ResourceScope, ...]:
    scopes = []
    for text in scope_text.split():
        try:
            scope = parse_scope(text)
        except InvalidScope:
            continue  # granted before a rule changed: ignored, never widened
        if scope is not None:
            scopes.append(scope)
    return tuple(scopes)


def caller_for_token(token_value: str) -> TokenCaller:
    checksum = hashlib.sha256(token_value.encode("utf-8")).hexdigest()
    token = (
        get_access_token_model()
        .objects.select_related("application", "user")
        .filter(token_checksum=checksum)
        .first()
    )
    if token is None or token.is_expired():
        raise SmartAuthError(
            401, "the access token is unknown, revoked or expired", "invalid_token"
        )
    client = SmartClient.objects.filter(application_id=token.application_id).first()
    if client is None:
        raise SmartAuthError(401, "the token's client is not registered for FHIR", "invalid_token")
    user = token.user
    if client.kind == ClientKind.SYSTEM:
        if user is not None:
            raise SmartAuthError(401, "a system token acts for no person", "invalid_token")
    elif user is None or not user.is_active or user.service_id != client.service_id:
        raise SmartAuthError(401, "the token's user cannot use this client", "invalid_token")
    return TokenCaller(
        client, user, _parsed(token.scope), token.scope, client_id=token.application.client_id
    )


@cache
def _fhir_prefix() -> str:
    return reverse("fhir:metadata").removesuffix("metadata")


def _route(request: HttpRequest) -> list[str]:
    return [part for part in request.path.removeprefix(_fhir_prefix()).split("/") if part]


def check_scopes(request: HttpRequest, caller: TokenCaller) -> None:
    """Refuse (403) what the token's scopes and client kind do not allow on this path."""
    route = _route(request)
    is_bulk = bool(route) and (
        route[0] in BULK_PATHS or (route[0] == "Group" and route[-1] == "$export")
    )
    if is_bulk or not route or route[0] not in SUPPORTED:
        if is_bulk and not caller.is_system:
            raise SmartAuthError(403, "bulk export is for system clients", "insufficient_scope")
        return  # bulk endpoints check their own types; anything else is the 404 of the router
    if caller.is_system:
        raise SmartAuthError(
            403, "system tokens are for bulk export ($export) only", "insufficient_scope"
        )
    resource_type = route[0]
    permission = _PERMISSION_FOR_METHOD.get(request.method or "GET")
    if permission is None:
        permission = "r" if len(route) > 1 else "s"
    if granted(caller.scopes, "user", resource_type, permission):
        return
    if granted(caller.scopes, "patient", resource_type, permission):
        if caller.user is not None and caller.user.role == Role.PATIENT:
            return
        raise SmartAuthError(
            403, "patient/ scopes are for a patient's own app", "insufficient_scope"
        )
    raise SmartAuthError(
        403,
        f"the token's scopes do not allow {resource_type} ({permission})",
        "insufficient_scope",
    )


class SmartBearer(HttpBearer):
    """ninja auth: an `Authorization: Bearer` header is decisive (no fallback to the session)."""

    def authenticate(self, request: HttpRequest, token: str) -> TokenCaller:
        if not token.strip():
            raise SmartAuthError(401, "empty bearer token", "invalid_request")
        caller = caller_for_token(token.strip())
        check_scopes(request, caller)
        if caller.user is not None:
            # The endpoints read request.user (through the selectors), exactly as for a session.
            request.user = caller.user
        return caller


def install_smart_errors(api: NinjaAPI) -> None:
    @api.exception_handler(SmartAuthError)
    def _refused(request: HttpRequest, error: SmartAuthError) -> HttpResponse:
        response = outcome_response(error.status, error.message)
        response["WWW-Authenticate"] = error.challenge
        return response

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        response = outcome_response(401, "send an OAuth 2.0 bearer token, or sign in (session)")
        response["WWW-Authenticate"] = f'Bearer realm="{REALM}"'
        return response


def token_caller(request: HttpRequest) -> TokenCaller | None:
    auth: Any = getattr(request, "auth", None)
    return auth if isinstance(auth, TokenCaller) else None
