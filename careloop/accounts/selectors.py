"""Reads of user accounts for other domains (accounts' models are private to it).

Accounts sits below care and privacy, so these reads know nothing of patients' visibility:
each answers one question about staff a caller in a higher domain has already been allowed to
ask (who an alert may reach, who reviews a break-glass grant). None shows patient data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from careloop.accounts.models import Invitation, User
from careloop.accounts.types import CARE_TEAM_ROLES, STAFF_ROLES, Role
from careloop.core import clock
from careloop.core.errors import NotFound


def signed_in_user(request: HttpRequest) -> User | None:
    """The signed-in user of `request`, or None for an anonymous visitor."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request behind login_required (a programming error otherwise)."""
    user = signed_in_user(request)
    assert user is not None, "view reached without a signed-in user"
    return user


def active_care_team_members(team_id: uuid.UUID, service_id: uuid.UUID) -> QuerySet[User]:
    """Active clinicians and supervisors of one care team, in a stable order."""
    return User.objects.filter(
        service_id=service_id,
        is_active=True,
        role__in=CARE_TEAM_ROLES,
        team_memberships__team_id=team_id,
    ).order_by("id")


def active_members_of_team(team_id: uuid.UUID, service_id: uuid.UUID) -> QuerySet[User]:
    """Every active user with a membership of one care team, whatever their role, by username
    (who a patient's message to their care team reaches)."""
    return (
        User.objects.filter(
            service_id=service_id, team_memberships__team_id=team_id, is_active=True
        )
        .distinct()
        .order_by("username")
    )


def users_with_ids(ids: Iterable[uuid.UUID] | QuerySet[Any, Any]) -> QuerySet[User]:
    """The users with these ids (a list or a values() subquery of another domain's table)."""
    return User.objects.filter(id__in=ids)


def break_glass_reviewers(service_id: uuid.UUID, patient_id: uuid.UUID) -> QuerySet[User]:
    """Who reviews emergency access to a patient: the active supervisors of the patient's care
    team, and the service admins (the service's privacy officers)."""
    return User.objects.filter(
        Q(role=Role.SUPERVISOR, team_memberships__team__patients__id=patient_id)
        | Q(role=Role.SERVICE_ADMIN),
        service_id=service_id,
        is_active=True,
    ).distinct()


def active_user_named(username: str, *, service_id: uuid.UUID | None = None) -> User | None:
    """The active user signed in as `username` (in that service, if given), or None: for
    management commands, whose `--by` names who acts."""
    users = User.objects.filter(username=username, is_active=True)
    if service_id is not None:
        users = users.filter(service_id=service_id)
    return users.first()


# --- Web administration (issue #13)


def user_in_role(request: HttpRequest, *roles: Role) -> User:
    """The signed-in user if they hold one of `roles` in a service; NotFound otherwise (a page
    of administration is, to anyone else, a page that does not exist)."""
    user = signed_in_user(request)
    if user is None or user.role not in roles or user.service_id is None:
        raise NotFound("page")
    return user


def service_admin(request: HttpRequest) -> User:
    """The signed-in service admin (NotFound for anyone else)."""
    return user_in_role(request, Role.SERVICE_ADMIN)


def staff_of_service(service_id: uuid.UUID) -> QuerySet[User]:
    """Every staff login of the service (active, invited or closed), by role then user name."""
    return User.objects.filter(service_id=service_id, role__in=STAFF_ROLES).order_by(
        "role", "username"
    )


def staff_member(service_id: uuid.UUID, user_id: uuid.UUID) -> User:
    """One staff login of this service (NotFound for another service's or a patient's)."""
    user = staff_of_service(service_id).filter(id=user_id).first()
    if user is None:
        raise NotFound("user")
    return user


def active_team_candidates(service_id: uuid.UUID) -> QuerySet[User]:
    """Who may join a care team: the service's clinicians and supervisors, invited or active."""
    return User.objects.filter(service_id=service_id, role__in=CARE_TEAM_ROLES).order_by("username")


def account_states(users: Iterable[User]) -> dict[uuid.UUID, str]:
    """Each user's account state in plain words' keys: "active" (password set), "invited"
    (an open invitation), "invitation_expired" (none open), or "closed"."""
    users = list(users)
    now = clock.now()
    open_ids = set(
        Invitation.objects.filter(
            user__in=users, used_at=None, revoked_at=None, expires_at__gt=now
        ).values_list("user_id", flat=True)
    )
    states = {}
    for user in users:
        if user.has_usable_password():
            states[user.id] = "active" if user.is_active else "closed"
        else:
            states[user.id] = "invited" if user.id in open_ids else "invitation_expired"
    return states
