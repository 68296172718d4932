"""Reads for the FHIR edge, built on the domains' own access rules (an outsider sees nothing)."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from careloop.accounts.models import CARE_TEAM_ROLES, User
from careloop.assessments.models import Assessment
from careloop.care.models import CareTeam, Patient
from careloop.care.selectors import patients_visible_to
from careloop.fhir.models import ImportedResource
from careloop.safety.models import Alert
from careloop.safety.selectors import alerts_visible_to


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    """Assessments of every patient `user` may see (care.selectors decides who that is)."""
    if user.service_id is None:
        return Assessment.objects.none()
    return Assessment.objects.filter(
        service_id=user.service_id, patient__in=patients_visible_to(user)
    )


def flags_visible_to(user: User) -> QuerySet[Alert]:
    """Safety alerts are shown to the care team only (careloop.safety.selectors)."""
    return alerts_visible_to(user)


def care_teams_visible_to(user: User) -> QuerySet[CareTeam]:
    """The teams `user` works in, and the teams of the patients `user` may see."""
    if user.service_id is None:
        return CareTeam.objects.none()
    visible_patients = patients_visible_to(user)
    return CareTeam.objects.filter(
        Q(memberships__user=user) | Q(patients__in=visible_patients), service_id=user.service_id
    ).distinct()


def practitioners_visible_to(user: User) -> QuerySet[User]:
    """Clinicians and supervisors of the care teams `user` may see."""
    if user.service_id is None:
        return User.objects.none()
    return User.objects.filter(
        service_id=user.service_id,
        role__in=CARE_TEAM_ROLES,
        team_memberships__team__in=care_teams_visible_to(user),
    ).distinct()


def patients_for_fhir(user: User) -> QuerySet[Patient]:
    return patients_visible_to(user)


def import_sources(
    service_id: uuid.UUID, assessment_ids: list[uuid.UUID]
) -> dict[uuid.UUID | None, dict[str, str]]:
    """The source identifier of each imported assessment (provenance), by assessment id."""
    rows = ImportedResource.objects.filter(
        service_id=service_id, local_type="Assessment", local_id__in=assessment_ids
    )
    return {row.local_id: {"system": row.source_system, "value": row.source_value} for row in rows}
