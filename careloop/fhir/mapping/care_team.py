"""CareTeam (with its members) ⇄ FHIR CareTeam."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from careloop.fhir.mapping.common import CARE_TEAM_ROLE_SYSTEM, Resource, reference, with_meta


@dataclass(frozen=True)
class TeamMember:
    user_id: uuid.UUID
    role: str  # careloop.accounts Role value: clinician | supervisor


def care_team_resource(team_id: uuid.UUID, name: str, members: Sequence[TeamMember]) -> Resource:
    resource: Resource = {
        "resourceType": "CareTeam",
        "id": str(team_id),
        "status": "active",
        "name": name,
    }
    if members:
        resource["participant"] = [
            {
                "role": [{"coding": [{"system": CARE_TEAM_ROLE_SYSTEM, "code": member.role}]}],
                "member": reference("Practitioner", member.user_id),
            }
            for member in members
        ]
    return with_meta(resource, None)
