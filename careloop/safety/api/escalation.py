"""Escalation policy and on-call rota of a care team: members read, supervisors change."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Status

from careloop.accounts.api import api_user
from careloop.core.api import ApiError
from careloop.safety import services
from careloop.safety.api.router import router
from careloop.safety.models import OnCallShift
from careloop.safety.schemas import PolicyIn, PolicyOut, ShiftIn, ShiftOut, TierOut
from careloop.safety.selectors import policy_view, rota_of, team_visible_to
from careloop.safety.types import TierTarget

ERRORS = {403: ApiError, 404: ApiError, 422: ApiError}


def _policy_out(team_id: uuid.UUID, request: HttpRequest) -> PolicyOut:
    view = policy_view(team_visible_to(api_user(request), team_id))
    return PolicyOut(
        team_id=team_id,
        version=view.version,
        tiers=[
            TierOut(
                position=position,
                target=tier.target,
                acknowledge_within_seconds=tier.acknowledge_within_seconds,
                channels=list(tier.channels),
            )
            for position, tier in enumerate(view.tiers, start=1)
        ],
        service_lead_id=view.service_lead.id if view.service_lead else None,
        changed_by=view.changed_by.username if view.changed_by else None,
        changed_at=view.changed_at,
    )


@router.get(
    "/escalation-policies/{team_id}",
    response={200: PolicyOut, 404: ApiError},
    summary="My team's escalation chain",
)
def get_policy(request: HttpRequest, team_id: uuid.UUID) -> PolicyOut:
    return _policy_out(team_id, request)


@router.put(
    "/escalation-policies/{team_id}",
    response={200: PolicyOut, **ERRORS},
    summary="Replace my team's escalation chain (supervisors; a new version, audited)",
)
def put_policy(request: HttpRequest, team_id: uuid.UUID, body: PolicyIn) -> PolicyOut:
    user = api_user(request)
    team = team_visible_to(user, team_id)
    tiers = [
        services.TierSpec(TierTarget(t.target), t.acknowledge_within_seconds, tuple(t.channels))
        for t in body.tiers
    ]
    services.set_escalation_policy(
        team, actor=user, tiers=tiers, service_lead_id=body.service_lead_id
    )
    return _policy_out(team_id, request)


def _shift_out(shift: OnCallShift) -> ShiftOut:
    return ShiftOut(
        id=shift.id,
        user_id=shift.user_id,
        username=shift.user.username,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
    )


@router.get(
    "/on-call/{team_id}",
    response={200: list[ShiftOut], 404: ApiError},
    summary="My team's on-call rota, latest first",
)
def get_rota(request: HttpRequest, team_id: uuid.UUID) -> list[ShiftOut]:
    team = team_visible_to(api_user(request), team_id)
    return [_shift_out(shift) for shift in rota_of(team)]


@router.post(
    "/on-call/{team_id}",
    response={201: ShiftOut, **ERRORS},
    summary="Put a team member on call (supervisors)",
)
def add_shift(request: HttpRequest, team_id: uuid.UUID, body: ShiftIn) -> Status[ShiftOut]:
    user = api_user(request)
    team = team_visible_to(user, team_id)
    shift = services.add_on_call_shift(
        team, actor=user, user_id=body.user_id, starts_at=body.starts_at, ends_at=body.ends_at
    )
    return Status(201, _shift_out(shift))
