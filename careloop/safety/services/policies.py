"""Escalation policies and the on-call rota: who an alert goes to at each tier.

Every care team has a policy. A team without one gets the default below the first time an alert
needs it (created lazily, so no seeding step can be forgotten). Whatever a tier resolves to, only
active clinicians and supervisors of the patient's own team are ever told (no outsider paging).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from careloop.accounts.selectors import active_care_team_members
from careloop.accounts.types import Role
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.errors import NotFound
from careloop.notifications.types import Channel
from careloop.safety.errors import InvalidPolicy, SupervisorRequired
from careloop.safety.models import Alert, EscalationPolicy, EscalationTier, OnCallShift
from careloop.safety.models.escalation import OUTBOUND_CHANNELS
from careloop.safety.types import TierTarget

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import CareTeam

# Careloop default (issue #4 example): clinicians 15 min -> on-call 15 min -> service lead 15 min.
# A service sets its own; the Clinical Safety Officer must confirm these windows (hazard HZ-002).
DEFAULT_WINDOW_SECONDS = 15 * 60
DEFAULT_TIERS = (
    (TierTarget.TEAM_CLINICIANS, DEFAULT_WINDOW_SECONDS),
    (TierTarget.ON_CALL, DEFAULT_WINDOW_SECONDS),
    (TierTarget.SERVICE_LEAD, DEFAULT_WINDOW_SECONDS),
)
MIN_WINDOW_SECONDS = 10
MAX_WINDOW_SECONDS = 24 * 3600


@dataclass(frozen=True)
class TierSpec:
    target: TierTarget
    acknowledge_within_seconds: int
    channels: tuple[str, ...] = field(default_factory=lambda: tuple(str(c) for c in Channel))


def team_members(team_id: uuid.UUID, service_id: uuid.UUID) -> QuerySet[User]:
    """Active clinicians and supervisors of one team: the only people an alert may reach."""
    return active_care_team_members(team_id, service_id)


def _create_default_policy(team_id: uuid.UUID, service_id: uuid.UUID) -> EscalationPolicy:
    policy = EscalationPolicy.objects.create(
        service_id=service_id, care_team_id=team_id, changed_at=clock.now()
    )
    EscalationTier.objects.bulk_create(
        EscalationTier(
            service_id=service_id,
            policy=policy,
            position=position,
            target=target,
            acknowledge_within_seconds=seconds,
        )
        for position, (target, seconds) in enumerate(DEFAULT_TIERS, start=1)
    )
    return policy


def policy_for_team(team_id: uuid.UUID, service_id: uuid.UUID) -> EscalationPolicy:
    """The team's policy, creating the default one if the team has none yet."""
    policy = EscalationPolicy.objects.filter(care_team_id=team_id).first()
    if policy is not None:
        return policy
    try:
        with transaction.atomic():  # savepoint: a concurrent creator must not break our caller
            return _create_default_policy(team_id, service_id)
    except IntegrityError:
        return EscalationPolicy.objects.get(care_team_id=team_id)


def on_call_at(team_id: uuid.UUID, service_id: uuid.UUID, when: datetime) -> list[User]:
    """Who the rota puts on call for the team at `when` (members only)."""
    on_call_ids = OnCallShift.objects.filter(
        care_team_id=team_id, starts_at__lte=when, ends_at__gt=when
    ).values("user_id")
    return list(team_members(team_id, service_id).filter(id__in=on_call_ids))


def recipients_for(
    alert: Alert, policy: EscalationPolicy, target: str, now: datetime
) -> tuple[list[User], str]:
    """The people a tier reaches for this alert, and a note when the tier had to fall back.

    An empty rota slot or a missing service lead goes to the team's supervisors instead, and the
    step records that the route had a gap (C4: a gap is visible, never silent).
    """
    team_id, service_id = alert.patient.care_team_id, alert.service_id
    members = team_members(team_id, service_id)
    supervisors = list(members.filter(role=Role.SUPERVISOR))
    if target == TierTarget.TEAM_CLINICIANS:
        clinicians = list(members.filter(role=Role.CLINICIAN))
        return (clinicians, "") if clinicians else (supervisors, "no clinicians: supervisors told")
    if target == TierTarget.ON_CALL:
        on_call = on_call_at(team_id, service_id, now)
        return (on_call, "") if on_call else (supervisors, "rota gap: supervisors told")
    lead = members.filter(id=policy.service_lead_id).first() if policy.service_lead_id else None
    return ([lead], "") if lead else (supervisors, "no service lead: supervisors told")


def supervisors_of(alert: Alert) -> list[User]:
    return list(
        team_members(alert.patient.care_team_id, alert.service_id).filter(role=Role.SUPERVISOR)
    )


def _require_supervisor(team: CareTeam, actor: User, what: str) -> None:
    """A supervisor of the team, or an admin of the team's service (who runs the service's
    escalation routes from /manage/, issue #13), may change them."""
    if actor.role == Role.SERVICE_ADMIN and actor.is_active and actor.service_id == team.service_id:
        return
    if not team_members(team.id, team.service_id).filter(id=actor.id, role=Role.SUPERVISOR):
        raise SupervisorRequired(what)


def _validate_tiers(tiers: list[TierSpec]) -> None:
    if not tiers:
        raise InvalidPolicy("an escalation policy needs at least one tier")
    known = {str(channel) for channel in Channel}
    for position, tier in enumerate(tiers, start=1):
        if not MIN_WINDOW_SECONDS <= tier.acknowledge_within_seconds <= MAX_WINDOW_SECONDS:
            raise InvalidPolicy(
                f"tier {position}: acknowledge-within must be between {MIN_WINDOW_SECONDS} s "
                f"and {MAX_WINDOW_SECONDS // 3600} h"
            )
        if unknown := set(tier.channels) - known:
            raise InvalidPolicy(f"tier {position}: unknown channel(s) {sorted(unknown)}")
        if not set(tier.channels) & {str(c) for c in OUTBOUND_CHANNELS}:
            raise InvalidPolicy(f"tier {position}: needs e-mail, SMS or web push to page someone")


@transaction.atomic
def set_escalation_policy(
    team: CareTeam,
    *,
    actor: User,
    tiers: list[TierSpec],
    service_lead_id: uuid.UUID | None = None,
) -> EscalationPolicy:
    """Replace the team's tiers (a new policy version), audited with who changed it."""
    _require_supervisor(team, actor, "the escalation policy")
    _validate_tiers(tiers)
    service_lead = None
    if service_lead_id is not None:
        service_lead = team_members(team.id, team.service_id).filter(id=service_lead_id).first()
        if service_lead is None:
            raise InvalidPolicy("the service lead must be a clinician or supervisor of this team")
    policy = policy_for_team(team.id, team.service_id)
    policy = EscalationPolicy.objects.select_for_update().get(id=policy.id)
    policy.tiers.all().delete()
    EscalationTier.objects.bulk_create(
        EscalationTier(
            service_id=team.service_id,
            policy=policy,
            position=position,
            target=tier.target,
            acknowledge_within_seconds=tier.acknowledge_within_seconds,
            channels=list(tier.channels),
        )
        for position, tier in enumerate(tiers, start=1)
    )
    policy.version += 1
    policy.service_lead = service_lead
    policy.changed_by = actor
    policy.changed_at = clock.now()
    policy.save()
    _audit_team_change(
        AuditAction.ESCALATION_POLICY_CHANGED, team, actor, {"version": policy.version}
    )
    return policy


@transaction.atomic
def add_on_call_shift(
    team: CareTeam,
    *,
    actor: User,
    user_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
) -> OnCallShift:
    """Put a team member on call for [starts_at, ends_at)."""
    _require_supervisor(team, actor, "the on-call rota")
    user = team_members(team.id, team.service_id).filter(id=user_id).first()
    if user is None:
        raise InvalidPolicy("only a clinician or supervisor of this team can be on call for it")
    if ends_at <= starts_at:
        raise InvalidPolicy("a shift must end after it starts")
    if ends_at - starts_at > timedelta(days=31):
        raise InvalidPolicy("a shift can last at most 31 days")
    shift = OnCallShift.objects.create(
        service_id=team.service_id,
        care_team=team,
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
    )
    _audit_team_change(AuditAction.ON_CALL_CHANGED, team, actor, {"shift": str(shift.id)})
    return shift


@transaction.atomic
def remove_on_call_shift(team: CareTeam, *, actor: User, shift_id: uuid.UUID) -> None:
    """Take a shift off the team's rota (NotFound for another team's), audited."""
    _require_supervisor(team, actor, "the on-call rota")
    deleted, _ = OnCallShift.objects.filter(id=shift_id, care_team=team).delete()
    if not deleted:
        raise NotFound("on-call shift")
    _audit_team_change(
        AuditAction.ON_CALL_CHANGED, team, actor, {"shift": str(shift_id), "removed": True}
    )


def shifts_from(team: CareTeam, start: datetime) -> QuerySet[OnCallShift]:
    """The team's shifts that have not ended by `start`, in order, with their people."""
    return (
        OnCallShift.objects.filter(care_team=team, ends_at__gt=start)
        .select_related("user")
        .order_by("starts_at", "id")
    )


def rota_gaps(team: CareTeam, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Windows in [start, end) with nobody on call for the team (C4 routing check)."""
    shifts = OnCallShift.objects.filter(
        care_team=team, ends_at__gt=start, starts_at__lt=end
    ).order_by("starts_at")
    gaps, covered_until = [], start
    for shift in shifts:
        if shift.starts_at > covered_until:
            gaps.append((covered_until, shift.starts_at))
        covered_until = max(covered_until, shift.ends_at)
    if covered_until < end:
        gaps.append((covered_until, end))
    return gaps


def _audit_team_change(
    action: AuditAction, team: CareTeam, actor: User, detail: dict[str, object]
) -> None:
    record_event(
        actor=actor,
        action=action,
        service_id=team.service_id,
        obj=("CareTeam", team.id),
        detail={**detail, "team": str(team.id)},
    )
