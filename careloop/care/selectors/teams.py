"""Care teams and their staff, consent decisions, as the FHIR facade and the patient's pages read
them (each through the reader's visibility)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from careloop.accounts.selectors import users_with_ids
from careloop.accounts.types import CARE_TEAM_ROLES
from careloop.care.models import CareTeam, Patient, TeamMembership
from careloop.care.selectors.access import patients_visible_to
from careloop.privacy.consent import decisions_of_patients

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.privacy.models import ConsentDecision


# ------------------------------------------------- care teams, their staff, consent decisions


def care_teams_visible_to(user: User) -> QuerySet[CareTeam]:
    """The teams `user` works in, and the teams of the patients `user` may see; nothing for a
    user outside a service (fails closed)."""
    if not user.is_authenticated or user.service_id is None:
        return CareTeam.objects.none()
    return CareTeam.objects.filter(
        Q(memberships__user=user) | Q(patients__in=patients_visible_to(user)),
        service_id=user.service_id,
    ).distinct()


def with_care_team_staff(teams: QuerySet[CareTeam]) -> QuerySet[CareTeam]:
    """`teams` (from care_teams_visible_to) with their clinicians' and supervisors' memberships
    prefetched, each with its user."""
    members = TeamMembership.objects.filter(user__role__in=CARE_TEAM_ROLES).select_related("user")
    return teams.prefetch_related(Prefetch("memberships", queryset=members))


def practitioners_visible_to(user: User) -> QuerySet[User]:
    """Clinicians and supervisors of the care teams `user` may see (none outside a service)."""
    if not user.is_authenticated or user.service_id is None:
        return users_with_ids([])
    staff = TeamMembership.objects.filter(
        team__in=care_teams_visible_to(user), user__role__in=CARE_TEAM_ROLES
    ).values("user_id")
    return users_with_ids(staff).filter(service_id=user.service_id)


def consent_decisions_visible_to(user: User) -> QuerySet[ConsentDecision]:
    """Consent decisions of the patients `user` may see (the patient, their care team); none
    outside a service (fails closed)."""
    if not user.is_authenticated or user.service_id is None:
        return decisions_of_patients(service_id=None, patients=Patient.objects.none())
    return decisions_of_patients(service_id=user.service_id, patients=patients_visible_to(user))


def own_patient_id(user: User) -> uuid.UUID | None:
    """The id of the patient record `user` signs in for, if any (to tell a patient's reads of
    their own record from a clinician's, e.g. the purpose an audit event names)."""
    return Patient.objects.filter(user=user).values_list("id", flat=True).first()


def patient_in_service_for_system(service_id: uuid.UUID, patient_id: uuid.UUID) -> Patient:
    """System read for an operator's FHIR import (no reader): the patient an earlier import of
    the same source identity filed in this service. Raises Patient.DoesNotExist if absent."""
    return Patient.objects.get(service_id=service_id, id=patient_id)
