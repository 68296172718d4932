"""JSON API: consent, who accessed my data, break-glass.

The same rules as the pages (careloop.rights.access.views): a patient reaches only their own
consent and access log; break-glass is for clinicians and supervisors; others get 404.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from careloop.accounts.api import api_user
from careloop.care.selectors import break_glass_candidate, own_patient_record
from careloop.core.api import ApiError
from careloop.core.errors import NotFound
from careloop.core.http import client_ip
from careloop.core.text import FreeText
from careloop.fhir.canonical import outbound
from careloop.fhir.mapping.consent import DATA_STREAM_SYSTEM, RECEIPT_SYSTEM
from careloop.privacy import breakglass
from careloop.privacy.consent import consent_states, decisions_of
from careloop.privacy.fhir_consent import consent_resource
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.services import decide
from careloop.privacy.types import Choice
from careloop.rights.access import services as access_services
from careloop.rights.access.selectors import access_log_for

if TYPE_CHECKING:
    from careloop.privacy.models import BreakGlassGrant

# operationIds are published (clients are generated from them): pinned here, not derived from
# this module's path, so moving the file cannot rename them.
router = Router(tags=["patient rights"], auth=django_auth)


class ConsentOut(Schema):
    purpose: str = Field(description="HL7 v3 ActReason code")
    stream: str
    basis: str = Field(description="required, opt_out or opt_in")
    permitted: bool
    can_change: bool
    needs_reconsent: bool
    document_version: int | None
    title: str
    text: str
    receipt: str | None


class ConsentIn(Schema):
    purpose: str = Field(max_length=10)
    stream: str = Field(max_length=20)
    choice: Literal["given", "withdrawn"]
    document_version: int | None = Field(default=None, ge=1, description="The version you read")


class DecisionOut(Schema):
    purpose: str
    stream: str
    choice: str
    document_version: int
    decided_at: datetime
    receipt: str


class AccessLineOut(Schema):
    occurred_at: datetime
    action: str
    sentence: str
    emergency: bool


class BreakGlassIn(Schema):
    patient_id: uuid.UUID
    reason: FreeText = Field(min_length=1, max_length=2000)


class GrantOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    started_at: datetime
    expires_at: datetime
    ended_at: datetime | None


def _no_store(response: HttpResponse) -> None:
    response["Cache-Control"] = "no-store"


@router.get(
    "/me/consents",
    response={200: list[ConsentOut], 404: ApiError},
    url_name="my_consents",
    summary="My privacy choices: every purpose × data stream, what applies now",
    operation_id="careloop_rights_api_access_my_consents",
)
def my_consents(request: HttpRequest, response: HttpResponse) -> list[ConsentOut]:
    patient = own_patient_record(api_user(request))
    access_services.ensure_consent_documents(patient.service_id)
    _no_store(response)
    rows = []
    for state in consent_states(patient_id=patient.id, service_id=patient.service_id):
        title, text = (
            state.document.text_in(patient.preferred_language) if state.document else ("", "")
        )
        rows.append(
            ConsentOut(
                purpose=state.purpose,
                stream=state.stream,
                basis=state.basis,
                permitted=state.permitted,
                can_change=state.can_change,
                needs_reconsent=state.needs_reconsent,
                document_version=state.document.version if state.document else None,
                title=title,
                text=text,
                receipt=state.decision.receipt if state.decision else None,
            )
        )
    return rows


@router.post(
    "/me/consents",
    response={201: DecisionOut, 404: ApiError, 409: ApiError, 422: ApiError},
    url_name="my_consents_decide",
    summary="Give or withdraw consent; applies at once in every session; returns a receipt",
    operation_id="careloop_rights_api_access_decide_consent",
)
def decide_consent(request: HttpRequest, body: ConsentIn) -> Status[DecisionOut]:
    user = api_user(request)
    patient = own_patient_record(user)
    try:
        purpose, stream = PurposeOfUse(body.purpose), DataStream(body.stream)
    except ValueError:
        raise NotFound("consent choice") from None
    decision = decide(
        actor=user,
        patient=patient,
        purpose=purpose,
        stream=stream,
        choice=Choice(body.choice),
        document_version=body.document_version,
        source_ip=client_ip(request),
    )
    return Status(
        201,
        DecisionOut(
            purpose=decision.purpose,
            stream=decision.stream,
            choice=decision.choice,
            document_version=decision.document_version,
            decided_at=decision.decided_at,
            receipt=decision.receipt,
        ),
    )


@router.get(
    "/me/consents/history",
    response={200: list[DecisionOut], 404: ApiError},
    url_name="my_consent_history",
    summary="Every consent decision I made (my receipts), newest first",
    operation_id="careloop_rights_api_access_consent_history",
)
def consent_history(request: HttpRequest, response: HttpResponse) -> list[DecisionOut]:
    patient = own_patient_record(api_user(request))
    _no_store(response)
    return [
        DecisionOut(
            purpose=d.purpose,
            stream=d.stream,
            choice=d.choice,
            document_version=d.document_version,
            decided_at=d.decided_at,
            receipt=d.receipt,
        )
        for d in decisions_of(patient_id=patient.id, service_id=patient.service_id)[:500]
    ]


@router.get(
    "/me/consents/fhir",
    response={200: dict[str, Any], 404: ApiError},
    url_name="my_consents_fhir",
    summary="My privacy choices as a FHIR R4 Bundle of Consent resources",
    operation_id="careloop_rights_api_access_consents_as_fhir",
)
def consents_as_fhir(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    patient = own_patient_record(api_user(request))
    access_services.ensure_consent_documents(patient.service_id)
    _no_store(response)
    entries = []
    for state in consent_states(patient_id=patient.id, service_id=patient.service_id):
        decision = state.decision
        resource = consent_resource(
            patient_id=patient.id,
            purpose=state.purpose,
            stream=state.stream,
            permitted=state.permitted,
            document_version=decision.document_version if decision else None,
            decided_at=decision.decided_at if decision else None,
            receipt=decision.receipt if decision else None,
            resource_id=f"{patient.id}-{state.purpose.lower()}-{state.stream}",
            stream_system=DATA_STREAM_SYSTEM,
            receipt_system=RECEIPT_SYSTEM,
        )
        entries.append({"resource": outbound(resource)})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


@router.get(
    "/me/access-log",
    response={200: list[AccessLineOut], 404: ApiError},
    url_name="my_access_log",
    summary="Who accessed my data: every access to my record in plain language, newest first",
    operation_id="careloop_rights_api_access_my_access_log",
)
def my_access_log(request: HttpRequest, response: HttpResponse) -> list[AccessLineOut]:
    user = api_user(request)
    patient = own_patient_record(user)
    _no_store(response)
    return [
        AccessLineOut(
            occurred_at=line.occurred_at,
            action=line.action,
            sentence=line.sentence,
            emergency=line.is_emergency,
        )
        for line in access_log_for(user, patient)
    ]


def _grant_out(grant: BreakGlassGrant) -> GrantOut:
    return GrantOut(
        id=grant.id,
        patient_id=grant.patient_id,
        started_at=grant.started_at,
        expires_at=grant.expires_at,
        ended_at=grant.ended_at,
    )


@router.get(
    "/break-glass",
    response={200: list[GrantOut], 404: ApiError},
    url_name="break_glass_list",
    summary="My open emergency-access grants",
    operation_id="careloop_rights_api_access_my_grants",
)
def my_grants(request: HttpRequest) -> list[GrantOut]:
    user = api_user(request)
    if not user.works_in_care_team:
        raise NotFound("page")
    return [_grant_out(grant) for grant in breakglass.active_grants_of(user)]


@router.post(
    "/break-glass",
    response={201: GrantOut, 404: ApiError, 422: ApiError},
    url_name="break_glass_start",
    summary="Open emergency access to a patient outside my team for 60 minutes (reason required)",
    operation_id="careloop_rights_api_access_start_break_glass",
)
def start_break_glass(request: HttpRequest, body: BreakGlassIn) -> Status[GrantOut]:
    user = api_user(request)
    patient = break_glass_candidate(user, body.patient_id)
    grant = breakglass.start(
        actor=user, patient=patient, reason=body.reason, source_ip=client_ip(request)
    )
    return Status(201, _grant_out(grant))


@router.post(
    "/break-glass/{grant_id}/end",
    response={200: GrantOut, 404: ApiError},
    url_name="break_glass_end",
    summary="End my emergency access early",
    operation_id="careloop_rights_api_access_end_break_glass",
)
def end_break_glass(request: HttpRequest, grant_id: uuid.UUID) -> GrantOut:
    return _grant_out(breakglass.end(actor=api_user(request), grant_id=grant_id))
