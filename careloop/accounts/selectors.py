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

from careloop.accounts.models import User
from careloop.accounts.types import CARE_TEAM_ROLES, Role


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
