"""django-oauth-toolkit hooks: which scopes a client may be granted, and the SMART `patient`
launch context in the token response.

Rules (a request breaking one gets `invalid_scope`):
- an Application with no SmartClient registration is granted nothing;
- a system client (client credentials) holds `system/` scopes only;
- an app used by a person holds `patient/`, `user/`, `launch/patient` and `offline_access`;
  `patient/` scopes and `launch/patient` only for a patient (there is no patient picker for
  staff: staff apps use `user/` scopes, i.e. exactly the access the person has in Careloop).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from careloop.accounts.selectors import signed_in_user
from careloop.accounts.types import Role
from careloop.care.selectors import own_patient_id
from careloop.fhir.models import SmartClient
from careloop.fhir.rest.capability import SUPPORTED
from careloop.fhir.smart.scopes import (
    CONTEXTS,
    LAUNCH_PATIENT,
    NON_RESOURCE_SCOPES,
    InvalidScope,
    describe,
    parse_scope,
)
from careloop.fhir.types import ClientKind

if TYPE_CHECKING:
    from careloop.accounts.models import User

_V1_PERMISSIONS = ("read", "write", "*")


class _Descriptions(dict[str, str]):
    """Every scope this server understands → its consent-page text (computed on first use)."""

    def __missing__(self, key: str) -> str:
        text = describe(key)  # raises InvalidScope for anything else
        self[key] = text
        return text


@cache
def _advertised() -> tuple[str, ...]:
    """The scopes listed in discovery: v1 forms for every supported type and the wildcard."""
    types = ("*", *SUPPORTED)
    resource = [f"{c}/{t}.{p}" for c in CONTEXTS for t in types for p in _V1_PERMISSIONS]
    return (*sorted(NON_RESOURCE_SCOPES), *resource)


def advertised_scopes() -> list[str]:
    return list(_advertised())


def client_of(application: Any) -> SmartClient | None:
    if application is None:
        return None
    return SmartClient.objects.filter(application=application).first()


def scopes_allowed(kind: str, scopes: Iterable[str], user: User | None) -> bool:
    for text in scopes:
        try:
            scope = parse_scope(text)
        except InvalidScope:
            return False
        if kind == ClientKind.SYSTEM:
            if scope is None or scope.context != "system":
                return False
            continue
        if scope is not None and scope.context == "system":
            return False
        wants_patient = text == LAUNCH_PATIENT or (scope is not None and scope.context == "patient")
        if wants_patient and user is not None and user.role != Role.PATIENT:
            return False
    return True


class SmartScopes(BaseScopes):  # type: ignore[misc]  # untyped base class
    def get_all_scopes(self) -> dict[str, str]:
        descriptions = _Descriptions()
        for scope in _advertised():
            descriptions[scope] = describe(scope)
        return descriptions

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return advertised_scopes()

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        client = client_of(application)
        if client is None:
            return []
        return ["system/*.read"] if client.kind == ClientKind.SYSTEM else ["user/*.read"]


class SmartValidator(OAuth2Validator):  # type: ignore[misc]  # untyped base class
    def validate_scopes(
        self,
        client_id: str,
        scopes: list[str],
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        registration = client_of(client)
        if registration is None:
            return False
        # An oauthlib request carries the signing-in user as Django's request does.
        return scopes_allowed(registration.kind, scopes, signed_in_user(request))

    def save_bearer_token(
        self, token: dict[str, Any], request: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """Add the SMART launch context: `patient` = the signed-in patient's FHIR id."""
        user = signed_in_user(request)
        scopes = token.get("scope", "").split()
        wants_patient = LAUNCH_PATIENT in scopes or any(s.startswith("patient/") for s in scopes)
        if wants_patient and user is not None and user.role == Role.PATIENT:
            patient_id = own_patient_id(user)
            if patient_id is not None:
                token["patient"] = str(patient_id)
        return super().save_bearer_token(token, request, *args, **kwargs)
