"""Registering SMART clients: a django-oauth-toolkit Application plus its SmartClient row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.errors import DomainError
from careloop.fhir.models import SmartClient
from careloop.fhir.types import ClientKind
from careloop.privacy.policy import CONSENT_PURPOSES, PurposeOfUse

if TYPE_CHECKING:
    from careloop.core.models import Service


class ClientRejected(DomainError):
    """A registration that would not be usable or safe (the message says why)."""


@dataclass(frozen=True)
class RegisteredClient:
    client: SmartClient
    client_id: str
    client_secret: str | None  # shown once: only its hash is stored


def register_client(
    *,
    service: Service,
    name: str,
    kind: ClientKind,
    redirect_uris: list[str],
    purpose: str = "",
) -> RegisteredClient:
    """One transaction: the Application, its registration, and an audit event (ids only)."""
    application_model = get_application_model()
    if kind == ClientKind.SYSTEM:
        if redirect_uris:
            raise ClientRejected("a system client uses client credentials: no redirect URI")
        # A service-level purpose that patients' consent can decide (not a person's own).
        purpose = purpose or PurposeOfUse.TREAT
        allowed = [str(p) for p in CONSENT_PURPOSES]
        if purpose not in allowed:
            raise ClientRejected(f"purpose of use {purpose!r}: one of {', '.join(allowed)}")
        grant = application_model.GRANT_CLIENT_CREDENTIALS
    else:
        if not redirect_uris:
            raise ClientRejected("an app signing people in needs at least one redirect URI")
        if purpose:
            raise ClientRejected(
                "apps act with their user's access; only system clients name a purpose"
            )
        grant = application_model.GRANT_AUTHORIZATION_CODE
    secret = None if kind == ClientKind.PUBLIC_PKCE else generate_client_secret()
    application = application_model(
        name=name,
        client_type=(
            application_model.CLIENT_PUBLIC
            if kind == ClientKind.PUBLIC_PKCE
            else application_model.CLIENT_CONFIDENTIAL
        ),
        authorization_grant_type=grant,
        redirect_uris=" ".join(redirect_uris),
        client_secret=secret or "",
        hash_client_secret=True,
        skip_authorization=False,
    )
    try:
        application.full_clean(exclude=["user", "client_secret"])
    except ValidationError as error:
        raise ClientRejected("; ".join(error.messages)) from None
    with transaction.atomic():
        application.save()
        client = SmartClient.objects.create(
            service=service,
            application=application,
            kind=kind,
            purpose=purpose,
            created_at=clock.now(),
        )
        record_event(
            actor=None,
            action=AuditAction.FHIR_CLIENT_REGISTERED,
            service_id=service.id,
            obj=("SmartClient", client.id),
            detail={"kind": kind, "client_id": application.client_id, "purpose": purpose},
        )
    return RegisteredClient(client, application.client_id, secret)
