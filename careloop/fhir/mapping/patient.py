"""Patient ⇄ FHIR Patient, and what a patient may change in it themself (update)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from careloop.fhir.mapping.common import Resource, with_meta

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


@dataclass(frozen=True)
class ContactDetails:
    """How Careloop reaches the patient; shown only to the patient themself."""

    phone: str = ""
    email: str = ""


def patient_resource(patient: PatientRecord, contact: ContactDetails | None = None) -> Resource:
    """A Patient: name as given, birth year only (Careloop never stores the full date).

    `contact` adds `telecom` (e-mail, then phone, as in the patient's own data export).
    """
    resource: Resource = {
        "resourceType": "Patient",
        "id": str(patient.id),
        "active": True,
        "name": [{"text": patient.display_name}],
        "gender": GENDER_TO_FHIR.get(patient.gender, "unknown"),
    }
    if patient.birth_year is not None:
        resource["birthDate"] = f"{patient.birth_year:04d}"
    telecom = _telecom(contact) if contact is not None else []
    if telecom:
        resource["telecom"] = telecom
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


def _telecom(contact: ContactDetails) -> list[Resource]:
    points: list[Resource] = []
    if contact.email:
        points.append({"system": "email", "value": contact.email})
    if contact.phone:
        points.append({"system": "phone", "value": contact.phone})
    return points


# The elements of a Patient that are the patient's own to change (everything else is recorded
# by the care team or at registration and must come back unchanged).
PATIENT_OWNED = ("telecom", "communication")
_SERVER_MANAGED_META = frozenset({"versionId", "lastUpdated"})


class UpdateRejected(ValueError):
    """A Patient update this server will not apply: `status` 400 (malformed) or 422 (refused)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class PatientUpdate:
    """What an accepted update sets (each value replaces the current one; "" clears it)."""

    phone: str
    email: str
    language: str


def read_patient_update(body: Resource, current: Resource) -> PatientUpdate:
    """Check an update body against the current Patient (as its patient reads it).

    Only `telecom` (one phone, one e-mail) and `communication` (one preferred language) may
    differ. Any other element must equal the current one or be absent (absent: unchanged). The
    owned elements follow FHIR update semantics: absent means none.
    """
    if body.get("resourceType") != "Patient":
        raise UpdateRejected("the body must be a Patient", 400)
    if body.get("id") != current["id"]:
        raise UpdateRejected("the body's id must be the id in the URL", 400)
    for name, value in body.items():
        if name in ("resourceType", "id", *PATIENT_OWNED):
            continue
        if name == "meta":
            _check_meta(value)
        elif value != current.get(name):
            raise UpdateRejected(
                f"Patient.{name} cannot be changed here: only telecom (phone, e-mail) and "
                "communication (preferred language) are yours to change"
            )
    phone, email = _read_telecom(body.get("telecom", []))
    return PatientUpdate(phone, email, _read_language(body.get("communication", [])))


def _check_meta(meta: Any) -> None:
    if not isinstance(meta, dict):
        raise UpdateRejected("Patient.meta must be an object", 400)
    for name in meta:
        if name not in _SERVER_MANAGED_META:  # versionId/lastUpdated: set by the server
            raise UpdateRejected(f"Patient.meta.{name} cannot be set")


def _only(element: Any, where: str, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(element, dict):
        raise UpdateRejected(f"{where} must be an object", 400)
    for name in element:
        if name not in allowed:
            raise UpdateRejected(f"{where}.{name} is not supported")
    return element


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UpdateRejected(f"{where} must be a non-empty string", 400)
    return value.strip()


def _read_telecom(telecom: Any) -> tuple[str, str]:
    if not isinstance(telecom, list):
        raise UpdateRejected("Patient.telecom must be a list", 400)
    found: dict[str, str] = {}
    for index, point in enumerate(telecom):
        where = f"Patient.telecom[{index}]"
        _only(point, where, frozenset({"system", "value"}))
        system = point.get("system")
        if system not in ("phone", "email"):
            raise UpdateRejected(f"{where}.system: Careloop keeps one phone and one e-mail only")
        if system in found:
            raise UpdateRejected(f"{where}: more than one {system}")
        found[system] = _text(point.get("value"), f"{where}.value")
    return found.get("phone", ""), found.get("email", "")


def _read_language(communication: Any) -> str:
    if not isinstance(communication, list):
        raise UpdateRejected("Patient.communication must be a list", 400)
    if len(communication) > 1:
        raise UpdateRejected("Patient.communication: Careloop keeps one preferred language")
    if not communication:
        return ""
    where = "Patient.communication[0]"
    entry = _only(communication[0], where, frozenset({"language", "preferred"}))
    if entry.get("preferred", True) is not True:
        raise UpdateRejected(f"{where}.preferred: the one language kept is the preferred one")
    language = _only(entry.get("language"), f"{where}.language", frozenset({"coding"}))
    codings = language.get("coding")
    if not isinstance(codings, list) or len(codings) != 1:
        raise UpdateRejected(f"{where}.language.coding: exactly one coding")
    coding = _only(codings[0], f"{where}.language.coding[0]", frozenset({"system", "code"}))
    if coding.get("system") != LANGUAGE_SYSTEM:
        raise UpdateRejected(f"{where}.language.coding[0].system must be {LANGUAGE_SYSTEM}")
    return _text(coding.get("code"), f"{where}.language.coding[0].code")
