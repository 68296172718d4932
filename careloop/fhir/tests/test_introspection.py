"""Token introspection (/o/introspect/, RFC 7662) answers only about the caller's own service."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from careloop.core.models import Service
from careloop.fhir.smart.clients import RegisteredClient, register_client
from careloop.fhir.tests.test_smart import authorise
from careloop.fhir.types import ClientKind


def introspect(caller: RegisteredClient, token: str) -> dict[str, object]:
    basic = base64.b64encode(f"{caller.client_id}:{caller.client_secret}".encode()).decode()
    response = Client().post(
        "/o/introspect/", {"token": token}, headers={"Authorization": f"Basic {basic}"}
    )
    assert response.status_code == 200, response.content
    body: dict[str, object] = response.json()
    return body


@pytest.fixture
def ada_token(as_user, ada, ada_patient, service) -> str:
    """An access token of service A: Ada's diary app."""
    app = register_client(
        service=service,
        name="Diary app",
        kind=ClientKind.PUBLIC_PKCE,
        redirect_uris=["http://127.0.0.1:8765/callback"],
    )
    token: str = authorise(as_user(ada), app.client_id, "patient/*.read")["access_token"]
    return token


def test_a_client_of_the_same_service_learns_about_the_token(service, ada_token) -> None:
    own = register_client(
        service=service, name="EHR feed", kind=ClientKind.SYSTEM, redirect_uris=[]
    )
    answer = introspect(own, ada_token)
    assert answer["active"] is True
    assert answer["username"] == "ada"


def test_a_client_of_another_service_gets_active_false(ada_token) -> None:
    elsewhere = Service.objects.create(slug="elsewhere", name="Elsewhere")
    foreign = register_client(
        service=elsewhere, name="Their feed", kind=ClientKind.SYSTEM, redirect_uris=[]
    )
    answer = introspect(foreign, ada_token)
    assert answer == {"active": False}  # no scope, client, username or expiry of service A


def test_an_unknown_token_is_inactive_and_bad_credentials_are_refused(service) -> None:
    own = register_client(
        service=service, name="EHR feed", kind=ClientKind.SYSTEM, redirect_uris=[]
    )
    assert introspect(own, "not-a-token") == {"active": False}
    anonymous = Client().post("/o/introspect/", {"token": "x"})
    assert anonymous.status_code in (401, 403)
