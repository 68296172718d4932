"""Reads for the FHIR edge, built on the domains' own access rules (an outsider sees nothing)."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from careloop.accounts.models import CARE_TEAM_ROLES, User
from careloop.accounts.types import Role
from careloop.assessments.models import Assessment
from careloop.care.models import CareTeam, Patient
from careloop.care.selectors import patients_visible_to, stream_readable
from careloop.fhir.models import ImportedResource
from careloop.messaging.models import Message
from careloop.monitoring.models import MeasurementPlan
from careloop.privacy.models import ConsentDecision
from careloop.privacy.policy import DataStream
from careloop.safety.models import Alert
from careloop.safety.planning.models import SafetyPlan
from careloop.safety.selectors import alerts_visible_to
from careloop.safety.types import AlertSource


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    """Assessments of every patient `user` may see (care.selectors decides who that is)."""
    if user.service_id is None:
        return Assessment.objects.none()
    # Questionnaire answers are their own consent stream: a withdrawal hides them here too.
    visible = patients_visible_to(user, stream=DataStream.QUESTIONNAIRES)
    return Assessment.objects.filter(service_id=user.service_id, patient__in=visible)


def assessments_of_patient_visible_to(user: User, patient_id: uuid.UUID) -> QuerySet[Assessment]:
    """As assessments_visible_to, for a search naming exactly one patient: that patient is
    judged alone (a few indexed reads) instead of through the team-wide visibility subquery."""
    if user.service_id is None or not stream_readable(user, patient_id, DataStream.QUESTIONNAIRES):
        return Assessment.objects.none()
    return Assessment.objects.filter(service_id=user.service_id, patient_id=patient_id)


def flags_visible_to(user: User) -> QuerySet[Alert]:
    """Safety alerts are shown to the care team only (careloop.safety.selectors)."""
    return alerts_visible_to(user)


def automated_alerts_visible_to(user: User) -> QuerySet[Alert]:
    """Alerts a rule or the text detector raised (RiskAssessments): the care team only, while
    the policy lets them read the patient's safety stream."""
    return (
        alerts_visible_to(user)
        .filter(patient__in=patients_visible_to(user, stream=DataStream.SAFETY))
        .exclude(source=AlertSource.CLINICIAN)
    )


def measurement_plans_visible_to(user: User) -> QuerySet[MeasurementPlan]:
    """Stored measurement plans of every patient `user` may see (the patient, their team)."""
    if user.service_id is None:
        return MeasurementPlan.objects.none()
    return MeasurementPlan.objects.filter(
        service_id=user.service_id,
        patient__in=patients_visible_to(user, stream=DataStream.QUESTIONNAIRES),
    )


def safety_plans_visible_to(user: User) -> QuerySet[SafetyPlan]:
    """Saved safety plans (at least one version) of every patient whose safety stream `user`
    may read (the patient and their care team)."""
    if user.service_id is None:
        return SafetyPlan.objects.none()
    return SafetyPlan.objects.filter(
        service_id=user.service_id,
        patient__in=patients_visible_to(user, stream=DataStream.SAFETY),
        current_version__gt=0,
    )


def consent_decisions_visible_to(user: User) -> QuerySet[ConsentDecision]:
    """Consent decisions of the patients `user` may see (the patient, their care team)."""
    if user.service_id is None:
        return ConsentDecision.objects.none()
    return ConsentDecision.objects.filter(
        service_id=user.service_id, patient__in=patients_visible_to(user)
    )


def messages_visible_to(user: User) -> QuerySet[Message]:
    """Messages of the conversations `user` takes part in: the patient's own, or a patient of
    their care team whose messages stream they may read (as careloop.messaging.selectors)."""
    if user.service_id is None or not (user.role == Role.PATIENT or user.works_in_care_team):
        return Message.objects.none()
    return Message.objects.filter(
        service_id=user.service_id,
        patient__in=patients_visible_to(user, stream=DataStream.MESSAGES),
    )


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
