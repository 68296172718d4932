"""Reads of patients, with access built in: an outsider gets NotFound (HTTP 404), never the data.

Access rule (issue #5 adds purpose of use and consent on top):
- a patient sees only their own record;
- a clinician or supervisor sees the patients of the care teams they belong to;
- nobody else sees patient records.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from careloop.accounts.models import Role, User
from careloop.care.models import CareTeam, Patient
from careloop.core.errors import NotFound


def teams_of(user: User) -> QuerySet[CareTeam]:
    return CareTeam.objects.filter(service=user.service_id, memberships__user=user)


def patients_visible_to(user: User) -> QuerySet[Patient]:
    """Every patient `user` may see, scoped to the user's own service (tenant)."""
    service_id = user.service_id
    if not user.is_authenticated or service_id is None:
        return Patient.objects.none()
    scoped = Patient.objects.filter(service_id=service_id)
    if user.role == Role.PATIENT:
        return scoped.filter(user=user)
    if user.works_in_care_team:
        return scoped.filter(care_team__memberships__user=user)
    return Patient.objects.none()


def patient_visible_to(user: User, patient_id: uuid.UUID) -> Patient:
    patient = patients_visible_to(user).filter(id=patient_id).select_related("care_team").first()
    if patient is None:
        raise NotFound("patient")  # same answer whether absent or forbidden
    return patient


def own_patient_record(user: User) -> Patient:
    """The patient record of a signed-in patient."""
    if user.role != Role.PATIENT or user.service_id is None:
        raise NotFound("patient")
    patient = Patient.objects.filter(user=user, service=user.service_id).first()
    if patient is None:
        raise NotFound("patient")
    return patient
