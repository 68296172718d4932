"""Patient ⇄ FHIR Patient."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from careloop.fhir.resources.common import Resource, with_meta

# Careloop gender → FHIR administrative-gender (required binding: male | female | other | unknown).
GENDER_TO_FHIR = {
    "female": "female",
    "male": "male",
    "non_binary": "other",
    "prefer_not_to_say": "unknown",
}
LANGUAGE_SYSTEM = "urn:ietf:bcp:47"


class PatientRecord(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def display_name(self) -> str: ...
    @property
    def birth_year(self) -> int | None: ...
    @property
    def gender(self) -> str: ...
    @property
    def preferred_language(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


def patient_resource(patient: PatientRecord) -> Resource:
    """A Patient: name as given, birth year only (Careloop never stores the full date)."""
    resource: Resource = {
        "resourceType": "Patient",
        "id": str(patient.id),
        "active": True,
        "name": [{"text": patient.display_name}],
        "gender": GENDER_TO_FHIR.get(patient.gender, "unknown"),
    }
    if patient.birth_year is not None:
        resource["birthDate"] = f"{patient.birth_year:04d}"
    if patient.preferred_language:
        resource["communication"] = [
            {
                "language": {
                    "coding": [{"system": LANGUAGE_SYSTEM, "code": patient.preferred_language}]
                },
                "preferred": True,
            }
        ]
    return with_meta(resource, patient.created_at)
