"""Safety alert → FHIR Flag."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from careloop.fhir.resources.common import (
    SAFETY_RULE_SYSTEM,
    Resource,
    instant,
    reference,
    with_meta,
)

FLAG_DETAIL_URL = "http://hl7.org/fhir/StructureDefinition/flag-detail"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
# Alert states (careloop.safety.models.AlertStatus) → Flag.status (required: active | inactive |
# entered-in-error). An acknowledged alert still needs action, so it stays active.
STATUS_TO_FHIR = {
    "raised": "active",
    "notified": "active",
    "acknowledged": "active",
    "actioned": "inactive",
    "closed": "inactive",
}


class AlertRecord(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def patient_id(self) -> uuid.UUID: ...
    @property
    def assessment_id(self) -> uuid.UUID | None: ...
    @property
    def rule_id(self) -> str: ...
    @property
    def rule_version(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def raised_at(self) -> datetime: ...
    @property
    def notified_at(self) -> datetime | None: ...


def flag_resource(alert: AlertRecord) -> Resource:
    """A Flag naming the rule (and version) and severity; never the answer text."""
    resource: Resource = {
        "resourceType": "Flag",
        "id": str(alert.id),
        "status": STATUS_TO_FHIR.get(alert.status, "active"),
        "category": [{"coding": [{"system": FLAG_CATEGORY, "code": "safety"}]}],
        "code": {
            "coding": [{"system": SAFETY_RULE_SYSTEM, "code": alert.rule_id}],
            "text": f"Safety alert ({alert.severity}), rule {alert.rule_id}@{alert.rule_version}",
        },
        "subject": reference("Patient", alert.patient_id),
        "period": {"start": instant(alert.raised_at)},
    }
    if alert.assessment_id is not None:
        resource["extension"] = [
            {
                "url": FLAG_DETAIL_URL,
                "valueReference": reference("QuestionnaireResponse", alert.assessment_id),
            }
        ]
    return with_meta(resource, alert.notified_at or alert.raised_at)
