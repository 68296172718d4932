"""Safety alert → FHIR Flag."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from careloop.fhir.mapping.common import (
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


_LATER_STATES = ("acknowledged", "actioned", "closed")


class UnknownVersion(LookupError):
    """The alert never had this version."""


def alert_transitions(alert: AlertRecord) -> list[tuple[str, datetime]]:
    """The states the alert has been in, oldest first, each with the moment it was entered.

    Version n of a Flag (or RiskAssessment) is the alert after n states: the lifecycle only moves
    forward and stamps every move, so each past version can be rebuilt exactly.
    """
    # The later stamps are optional on the record (a record without them is read as not there
    # yet); the Alert model has them all.
    stamps = [
        ("raised", alert.raised_at),
        ("notified", alert.notified_at),
        *((state, getattr(alert, f"{state}_at", None)) for state in _LATER_STATES),
    ]
    moves = [(state, at) for state, at in stamps if at is not None]
    if moves[-1][0] != alert.status:  # a state without its stamp (seeded rows): still counted
        moves.append((alert.status, moves[-1][1]))
    return moves


def transition_at(alert: AlertRecord, version: int | None) -> tuple[int, str, datetime]:
    """(version, state, entered at) of `version`, or of the current one when None."""
    moves = alert_transitions(alert)
    number = len(moves) if version is None else version
    if not 1 <= number <= len(moves):
        raise UnknownVersion(f"version {version}")
    state, at = moves[number - 1]
    return number, state, at


def flag_resource(alert: AlertRecord, *, version: int | None = None) -> Resource:
    """A Flag naming the rule (and version) and severity; never the answer text.

    `version` rebuilds an earlier version (vread, _history); UnknownVersion if it never existed.
    """
    number, state, at = transition_at(alert, version)
    resource: Resource = {
        "resourceType": "Flag",
        "id": str(alert.id),
        "status": STATUS_TO_FHIR.get(state, "active"),
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
    return with_meta(resource, at, version=number)
