"""Care's patient data (registry: careloop.core.patient_data): the patient's own record (kept as
a tombstone by erasure), their courses of care, and the staff-only team memberships; and the
writes the rights domain's erasure needs on the Patient row."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from careloop.care.models import (
    CareTeam,
    Patient,
    SteppedCareChange,
    TeamMembership,
    TreatmentEpisode,
)
from careloop.care.types import Gender
from careloop.core.errors import NotFound
from careloop.core.patient_data import (
    EXPORT_CHUNK,
    PatientData,
    PatientScope,
    delete_rows,
    register,
)

if TYPE_CHECKING:
    from careloop.accounts.models import User


def _patient(scope: PatientScope) -> Iterator[Patient]:
    yield scope.patient


def _episodes(scope: PatientScope) -> Iterator[TreatmentEpisode]:
    rows = TreatmentEpisode.objects.filter(patient=scope.patient).order_by("started_on")
    return rows.iterator(EXPORT_CHUNK)


def _erase_episodes(scope: PatientScope) -> int:
    return delete_rows(TreatmentEpisode.objects.filter(patient=scope.patient))


def _step_changes(scope: PatientScope) -> Iterator[SteppedCareChange]:
    rows = SteppedCareChange.objects.filter(patient=scope.patient).order_by("changed_at", "id")
    return rows.iterator(EXPORT_CHUNK)


def _erase_step_changes(scope: PatientScope) -> int:
    # Before the episodes (whose deletion would otherwise take these rows uncounted).
    return delete_rows(SteppedCareChange.objects.filter(patient=scope.patient))


register(
    # The tombstone: identifiers blanked by `tombstone` below, the row stays (held records
    # point at it). Its export carries the login's contact details and the care team.
    PatientData(Patient, rows=_patient),
    PatientData(TreatmentEpisode, rows=_episodes, erase=_erase_episodes),
    PatientData(SteppedCareChange, rows=_step_changes, erase=_erase_step_changes, erase_first=True),
    PatientData(TeamMembership, staff_only=True),
)


def care_team_for_export(patient: Patient) -> tuple[CareTeam, list[TeamMembership]]:
    """The patient's care team and its memberships (with their users), by user id."""
    team = patient.care_team
    members = team.memberships.select_related("user").order_by("user_id")
    return team, list(members)


def patient_of_service(service_id: uuid.UUID, patient_id: uuid.UUID) -> Patient | None:
    """A not-erased patient of one service, for a service admin's command (the caller has
    checked the admin; nothing is shown but what the command then does)."""
    return Patient.objects.filter(
        id=patient_id, service_id=service_id, erased_at__isnull=True
    ).first()


def lock_for_erasure(service_id: uuid.UUID, patient_id: uuid.UUID) -> Patient | None:
    """The not-erased patient, row-locked until the erasure transaction ends."""
    return (
        Patient.objects.select_for_update()
        .filter(id=patient_id, service_id=service_id, erased_at__isnull=True)
        .first()
    )


def mark_erasure_requested(patient: Patient, *, now: datetime) -> datetime | None:
    """Stamp the request (inside the caller's transaction); None if it was already asked."""
    locked = Patient.objects.select_for_update().get(id=patient.id)
    if locked.erasure_requested_at is not None:
        return None
    locked.erasure_requested_at = now
    locked.save(update_fields=["erasure_requested_at"])
    return now


def clear_erasure_request(patient: Patient) -> bool:
    """Withdraw a pending request; False if there was none."""
    updated = Patient.objects.filter(id=patient.id, erasure_requested_at__isnull=False).update(
        erasure_requested_at=None
    )
    return bool(updated)


def tombstone(patient: Patient, *, now: datetime, hold_until: datetime | None) -> None:
    """Blank the patient's identifiers; the row stays so held records still point somewhere."""
    patient.display_name = ""
    patient.birth_year = None
    patient.gender = Gender.PREFER_NOT_TO_SAY
    patient.ethnicity = ""
    patient.deprivation_quintile = None
    patient.preferred_language = ""
    patient.time_zone = "UTC"
    patient.user = None
    patient.erased_at = now
    patient.legal_hold_until = hold_until
    patient.save()


def care_team_user_ids(reader: User, patient: Patient) -> set[uuid.UUID]:
    """Users in the patient's care team, for the patient's own 'who accessed my data' page:
    NotFound unless `reader` is that patient's login."""
    if patient.user_id is None or patient.user_id != reader.id:
        raise NotFound("patient")
    return set(
        TeamMembership.objects.filter(team_id=patient.care_team_id).values_list(
            "user_id", flat=True
        )
    )
