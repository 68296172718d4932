"""JSON API: export everything about me, ask for (or withdraw) erasure."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from careloop.accounts.api import api_user
from careloop.care.selectors import own_patient_record
from careloop.core.api import ApiError
from careloop.core.errors import NotFound
from careloop.core.http import client_ip
from careloop.rights.data import erasure
from careloop.rights.data.export import export_patient
from careloop.rights.data.views import erasure_outline

if TYPE_CHECKING:
    from careloop.care.models import Patient

# operationIds are published (clients are generated from them): pinned here, not derived from
# this module's path, so moving the file cannot rename them.
router = Router(tags=["patient rights"], auth=django_auth)


class KeptOut(Schema):
    what: str
    count: int
    legal_basis: str
    period: str
    period_verified: bool


class ErasureOut(Schema):
    requested_at: datetime | None
    open_safety_alerts: int
    erased: list[str]
    kept_under_legal_hold: list[KeptOut]


def _own_patient(request: HttpRequest) -> Patient:
    patient = own_patient_record(api_user(request))
    if patient.erased_at is not None:
        raise NotFound("patient")
    return patient


def _erasure_out(patient: Patient) -> ErasureOut:
    outline = erasure_outline(patient)
    return ErasureOut(
        requested_at=patient.erasure_requested_at,
        open_safety_alerts=outline["open_alerts"],
        erased=outline["erased_names"],
        kept_under_legal_hold=[
            KeptOut(
                what=item["rule"].what,
                count=item["count"],
                legal_basis=item["rule"].legal_basis,
                period=item["rule"].period,
                period_verified=item["rule"].verified,
            )
            for item in outline["kept"]
        ],
    )


@router.get(
    "/me/data/export",
    response={200: dict[str, Any], 404: ApiError},
    summary="Everything about me as a FHIR R4 Bundle (type collection)",
    operation_id="careloop_rights_api_data_export_me",
)
def export_me(request: HttpRequest) -> dict[str, Any]:
    user = api_user(request)
    return export_patient(user, _own_patient(request), source_ip=client_ip(request))


@router.get(
    "/me/data/erasure",
    response={200: ErasureOut, 404: ApiError},
    summary="What erasure would remove and keep (legal hold), and whether I asked",
    operation_id="careloop_rights_api_data_erasure_status",
)
def erasure_status(request: HttpRequest) -> ErasureOut:
    return _erasure_out(_own_patient(request))


@router.post(
    "/me/data/erasure",
    response={202: ErasureOut, 404: ApiError},
    summary="Ask for my data to be erased (a service admin carries it out)",
    operation_id="careloop_rights_api_data_request_erasure",
)
def request_erasure(request: HttpRequest) -> Status[ErasureOut]:
    patient = _own_patient(request)
    erasure.request_erasure(api_user(request), patient)
    return Status(202, _erasure_out(patient))


@router.delete(
    "/me/data/erasure",
    response={200: ErasureOut, 404: ApiError},
    summary="Withdraw my erasure request",
    operation_id="careloop_rights_api_data_withdraw_erasure",
)
def withdraw_erasure(request: HttpRequest) -> ErasureOut:
    patient = _own_patient(request)
    erasure.withdraw_erasure_request(api_user(request), patient)
    return _erasure_out(patient)
