"""Alerts: list, inbox (numbered, for gap detection), detail, raise by hand, and the lifecycle."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.http import HttpRequest
from ninja import Status
from ninja.params.functions import Query

from careloop.accounts.api import api_user
from careloop.audit.services import record_patient_reads
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import patient_visible_to
from careloop.core.api import ApiError
from careloop.core.errors import NotFound
from careloop.safety import services
from careloop.safety.api.router import router
from careloop.safety.models import Alert
from careloop.safety.presenters import reason_of
from careloop.safety.schemas import (
    ActionIn,
    AlertOut,
    BannerOut,
    InboxAlertOut,
    InboxEntryOut,
    InboxOut,
    RaiseAlertIn,
)
from careloop.safety.selectors import (
    InboxItem,
    active_banners_for,
    alert_visible_to,
    alerts_visible_to,
    inbox_page,
)
from careloop.safety.services.audit import audit_alert
from careloop.safety.types import AlertStatus

if TYPE_CHECKING:
    from careloop.accounts.models import User

ERRORS = {403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}


def _care_team_user(request: HttpRequest) -> User:
    user = api_user(request)
    if not user.works_in_care_team or user.service_id is None:
        raise NotFound("alerts")
    return user


def _audit_reads(user: User, alerts: list[Alert]) -> None:
    if alerts and user.service_id is not None:
        record_patient_reads(
            actor=user,
            action=AuditAction.ALERTS_VIEWED,
            service_id=user.service_id,
            patient_ids=sorted({a.patient_id for a in alerts}),
            purpose=PurposeOfUse.TREAT,
        )


@router.get("/alerts", response=list[AlertOut], summary="Alerts for my care teams, newest first")
def list_alerts(request: HttpRequest, status: AlertStatus | None = None) -> list[AlertOut]:
    # The enum is in the OpenAPI document, so clients (and schemathesis) know the valid values.
    user = api_user(request)
    rows = alerts_visible_to(user)
    if status:
        rows = rows.filter(status=status)
    alerts = list(rows[:200])
    _audit_reads(user, alerts)
    return [AlertOut.of(alert) for alert in alerts]


def _entry_out(item: InboxItem) -> InboxEntryOut:
    alert = item.alert
    return InboxEntryOut(
        seq=item.seq,
        kind=item.entry.kind if alert is not None else "hidden",
        created_at=item.entry.created_at,
        step=item.entry.step.number if item.entry.step is not None else None,
        alert=None
        if alert is None
        else InboxAlertOut(
            id=alert.id,
            patient_id=alert.patient_id,
            patient_name=alert.patient.display_name,
            severity=alert.severity,
            status=alert.status,
            reason=reason_of(alert),
            raised_at=alert.raised_at,
        ),
    )


@router.get(
    "/alerts/inbox",
    response={200: InboxOut, 404: ApiError},
    summary="My alert stream after `after_seq` (numbers are contiguous: a jump means you missed "
    "something; ask again from your last number)",
)
def inbox(
    request: HttpRequest,
    # Bounds in the schema (a bigint column): out-of-range values are a documented 422.
    after_seq: int = Query(0, ge=0, le=2**63 - 1),
    limit: int = Query(100, ge=1, le=10_000),
) -> InboxOut:
    user = _care_team_user(request)
    page = inbox_page(user, after_seq=after_seq, limit=limit)
    _audit_reads(user, [item.alert for item in page.items if item.alert is not None])
    return InboxOut(last_seq=page.last_seq, entries=[_entry_out(i) for i in page.items])


@router.get(
    "/alerts/banners",
    response=list[BannerOut],
    summary="Undeliverable alerts in my service (team only, never the patient)",
)
def banners(request: HttpRequest) -> list[BannerOut]:
    user = api_user(request)
    return [
        BannerOut(id=b.id, team=b.care_team.name, reason=b.reason, raised_at=b.raised_at)
        for b in active_banners_for(user)
    ]


@router.post(
    "/alerts",
    response={200: AlertOut, 201: AlertOut, **ERRORS},
    summary="Raise an alert by hand for a patient of my team (201; 200 if client_id was used)",
)
def raise_alert(request: HttpRequest, body: RaiseAlertIn) -> Status[AlertOut]:
    user = _care_team_user(request)
    patient = patient_visible_to(user, body.patient_id)
    alert, created = services.raise_alert_by_clinician(
        patient, actor=user, severity=body.severity, reason=body.reason, client_id=body.client_id
    )
    return Status(201 if created else 200, AlertOut.of(alert))


@router.get("/alerts/{alert_id}", response={200: AlertOut, 404: ApiError})
def get_alert(request: HttpRequest, alert_id: uuid.UUID) -> AlertOut:
    user = api_user(request)
    alert = alert_visible_to(user, alert_id)
    audit_alert(AuditAction.ALERTS_VIEWED, alert, actor=user)
    return AlertOut.of(alert)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **ERRORS},
    summary="Take the alert on: stops escalation (409 if already acknowledged)",
)
def acknowledge(request: HttpRequest, alert_id: uuid.UUID) -> AlertOut:
    user = api_user(request)
    alert = services.acknowledge_alert(alert_visible_to(user, alert_id), actor=user)
    return AlertOut.of(alert)


@router.post(
    "/alerts/{alert_id}/action",
    response={200: AlertOut, **ERRORS},
    summary="Record what was done (outcome + note) about an acknowledged alert",
)
def action(request: HttpRequest, alert_id: uuid.UUID, body: ActionIn) -> AlertOut:
    user = api_user(request)
    alert = services.record_alert_action(
        alert_visible_to(user, alert_id), actor=user, outcome=body.outcome, note=body.note
    )
    return AlertOut.of(alert)


@router.post(
    "/alerts/{alert_id}/close",
    response={200: AlertOut, **ERRORS},
    summary="Close an actioned alert (a false positive needs a second clinician: 403)",
)
def close(request: HttpRequest, alert_id: uuid.UUID) -> AlertOut:
    user = api_user(request)
    alert = services.close_alert(alert_visible_to(user, alert_id), actor=user)
    return AlertOut.of(alert)
