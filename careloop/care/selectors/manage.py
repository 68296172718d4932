"""Reads for the service admin's pages (issue #13): the service's care teams and, through the
one access decision (care.selectors.access, purpose HOPERAT: running the service), its patients.

Everything is bounded by the admin's own service: another service's team or patient is
NotFound, never a 403 (no existence oracle)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from careloop.accounts.types import CARE_TEAM_ROLES
from careloop.audit.types import PurposeOfUse
from careloop.care.models import CareTeam, Patient, TeamMembership, TreatmentEpisode
from careloop.care.selectors.access import patient_visible_to, patients_visible_to
from careloop.care.types import EpisodeEnding
from careloop.core.errors import NotFound

if TYPE_CHECKING:
    from careloop.accounts.models import User

PATIENTS_SHOWN = 100


def teams_of_service(service_id: uuid.UUID) -> QuerySet[CareTeam]:
    """The service's care teams by name, each with `patient_count` (not erased) and its
    memberships (with their users) prefetched."""
    members = TeamMembership.objects.select_related("user").order_by("user__username")
    return (
        CareTeam.objects.filter(service_id=service_id)
        .annotate(patient_count=Count("patients", filter=Q(patients__erased_at__isnull=True)))
        .prefetch_related(Prefetch("memberships", queryset=members))
        .order_by("name")
    )


def team_of_service(service_id: uuid.UUID, team_id: uuid.UUID) -> CareTeam:
    team = teams_of_service(service_id).filter(id=team_id).first()
    if team is None:
        raise NotFound("care team")
    return team


def team_members_of(team: CareTeam) -> list[User]:
    """The team's members (any role), by user name."""
    return [m.user for m in team.memberships.all()]


def patients_for_admin(admin: User, *, search: str = "") -> list[Patient]:
    """The admin's service's patients (at most PATIENTS_SHOWN, newest first), each with
    `open_episode` (or None) and its login and team loaded. `search` narrows by name."""
    patients = (
        patients_visible_to(admin, PurposeOfUse.HOPERAT)
        .select_related("care_team", "user")
        .order_by("-created_at")
    )
    if search.strip():
        patients = patients.filter(display_name__icontains=search.strip())
    rows = list(patients[:PATIENTS_SHOWN])
    episodes = TreatmentEpisode.objects.filter(
        patient__in=rows, ending=EpisodeEnding.ONGOING
    ).order_by("started_on")
    current = {episode.patient_id: episode for episode in episodes}
    for patient in rows:
        patient.open_episode = current.get(patient.id)  # type: ignore[attr-defined]
    return rows


def patient_for_admin(admin: User, patient_id: uuid.UUID) -> Patient:
    """One patient of the admin's service (NotFound otherwise), with `open_episode`."""
    patient = patient_visible_to(admin, patient_id, PurposeOfUse.HOPERAT)
    patient.open_episode = (  # type: ignore[attr-defined]
        TreatmentEpisode.objects.filter(patient=patient, ending=EpisodeEnding.ONGOING)
        .order_by("-started_on")
        .first()
    )
    return patient


def is_care_team_role(user: User) -> bool:
    return user.role in CARE_TEAM_ROLES
