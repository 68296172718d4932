"""Trusted system reads: bulk $export (a worker job acting for a system client) and the demo
seed. Named `_for_system` / `_for_seed` so a reader-facing caller cannot pick one by mistake."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from careloop.accounts.selectors import users_with_ids
from careloop.accounts.types import CARE_TEAM_ROLES
from careloop.care.models import CareTeam, Patient, TeamMembership, TreatmentEpisode

if TYPE_CHECKING:
    from careloop.accounts.models import User


# ------------------------------------------ bulk $export (a worker job acting for a system client)


def unerased_patient_ids_for_system(
    service_id: uuid.UUID, among: QuerySet[Any, Any]
) -> QuerySet[Any, uuid.UUID]:
    """System read for the bulk export job: the ids of the service's patients in `among` (the
    consent subquery the job built) that are not erased; lazy, so it nests as a subquery."""
    return Patient.objects.filter(
        service_id=service_id, erased_at__isnull=True, id__in=among
    ).values_list("id", flat=True)


def patients_with_ids_for_system(patient_ids: Iterable[uuid.UUID]) -> QuerySet[Patient]:
    """System read for the bulk export job: these patients (ids it has already chosen)."""
    return Patient.objects.filter(id__in=patient_ids)


def teams_of_patients_for_system(
    service_id: uuid.UUID, patient_ids: QuerySet[Any, uuid.UUID]
) -> QuerySet[CareTeam]:
    """System read for the bulk export job: the service's teams caring for these patients."""
    return CareTeam.objects.filter(service_id=service_id, patients__id__in=patient_ids).distinct()


def team_staff_for_system(teams: QuerySet[CareTeam]) -> QuerySet[Any, tuple[Any, Any, Any]]:
    """System read for the bulk export job: (team id, user id, role) of each clinician and
    supervisor of these teams."""
    return TeamMembership.objects.filter(
        team__in=teams, user__role__in=CARE_TEAM_ROLES
    ).values_list("team_id", "user_id", "user__role")


def staff_of_teams_for_system(service_id: uuid.UUID, teams: QuerySet[CareTeam]) -> QuerySet[User]:
    """System read for the bulk export job: the service's clinicians and supervisors of these
    teams (each once)."""
    members = TeamMembership.objects.filter(team__in=teams, user__role__in=CARE_TEAM_ROLES)
    return users_with_ids(members.values("user_id")).filter(service_id=service_id)


# Reads for the demo and synthetic-population loaders (careloop.seed) only.


def team_clinicians_for_seed(service_id: uuid.UUID) -> dict[uuid.UUID, User]:
    """One care-team clinician or supervisor per team of the service (the last listed)."""
    return {
        m.team_id: m.user
        for m in TeamMembership.objects.filter(service_id=service_id).select_related("user")
        if m.user.works_in_care_team
    }


def patient_of_user_for_seed(user: User) -> Patient | None:
    """The patient record of a login, in any state (the demo loader's idempotence check)."""
    return Patient.objects.filter(user=user).first()


def patients_without_login_for_seed(service_id: uuid.UUID) -> QuerySet[Patient]:
    """The service's synthetic patients (no login of their own)."""
    return Patient.objects.filter(service_id=service_id, user__isnull=True)


def population_rows_for_seed(service_id: uuid.UUID) -> list[QuerySet[Any, Any]]:
    """The service's patients and episodes as value rows in id order (for the load digest)."""
    return [
        Patient.objects.filter(service_id=service_id)
        .order_by("id")
        .values_list(
            "id",
            "care_team__name",
            "display_name",
            "birth_year",
            "gender",
            "ethnicity",
            "preferred_language",
            "time_zone",
            "deprivation_quintile",
            "created_at",
        ),
        TreatmentEpisode.objects.filter(service_id=service_id)
        .order_by("id")
        .values_list("id", "patient_id", "referred_on", "started_on", "ended_on", "ending"),
    ]
