"""Writes of care records: registering a patient (used by the FHIR import)."""

from __future__ import annotations

import uuid

from django.db import transaction

from careloop.audit.models import AuditAction, Purpose
from careloop.audit.services import Actor, record_event
from careloop.care.models import CareTeam, Gender, Patient
from careloop.core import clock
from careloop.core.errors import InvalidInput
from careloop.core.ids import uuid7


@transaction.atomic
def register_patient(
    *,
    actor: Actor | None,
    care_team: CareTeam,
    display_name: str,
    birth_year: int | None,
    gender: Gender,
    source: str,
    patient_id: uuid.UUID | None = None,
) -> Patient:
    """Add a patient (without a login) to `care_team`'s service; audited, never named in logs.

    `source` says where the record came from (e.g. "fhir-import"); it goes into the audit event.
    """
    display_name = display_name.strip()
    if not display_name:
        raise InvalidInput("a patient needs a display name")
    if birth_year is not None and not 1900 <= birth_year <= clock.now().year:
        raise InvalidInput(f"birth year {birth_year} is out of range")
    patient = Patient.objects.create(
        id=patient_id or uuid7(),
        service_id=care_team.service_id,
        care_team=care_team,
        display_name=display_name[:120],
        birth_year=birth_year,
        gender=gender,
    )
    record_event(
        actor=actor,
        action=AuditAction.PATIENT_REGISTERED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=Purpose.OPERATIONS,
        obj=("Patient", patient.id),
        detail={"source": source},
    )
    return patient
