"""Care-team staff member (User) ⇄ FHIR Practitioner."""

from __future__ import annotations

import uuid
from typing import Protocol

from careloop.fhir.mapping.common import Resource, with_meta


class StaffRecord(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def is_active(self) -> bool: ...


def practitioner_resource(staff: StaffRecord) -> Resource:
    """A Practitioner: name parts when recorded; never the login name or contact details."""
    resource: Resource = {
        "resourceType": "Practitioner",
        "id": str(staff.id),
        "active": bool(staff.is_active),
    }
    name: dict[str, object] = {}
    if staff.last_name:
        name["family"] = staff.last_name
    if staff.first_name:
        name["given"] = [staff.first_name]
    if name:
        resource["name"] = [name]
    return with_meta(resource, None)
