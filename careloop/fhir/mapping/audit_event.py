"""An audit row (careloop.audit) → FHIR AuditEvent, shaped after IHE BALP.

The audit row no longer has to hold the raw patient id (it keeps a keyed hash): the caller found
the row through the patient and passes the patient's id in. `detail` is never emitted, and the
agent's network address only when the reader is staff (a patient reading their own record's
trail sees who looked, not from where).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from careloop.audit.types import PurposeOfUse
from careloop.fhir.mapping.common import CARELOOP_FHIR, Resource, instant, reference, with_meta

DICOM = "http://dicom.nema.org/resources/ontology/DCM"
AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
ACTION_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/audit-action"
OBJECT_SYSTEM = f"{CARELOOP_FHIR}/NamingSystem/object"
BREAK_GLASS = {"system": DICOM, "code": "110127", "display": "Emergency Override Started"}
PATIENT_RECORD = {"system": DICOM, "code": "110110", "display": "Patient Record"}
REST = {"system": AUDIT_EVENT_TYPE, "code": "rest", "display": "RESTful Operation"}
# The verb at the end of a dotted action code → AuditEventAction (C R U D E, required), tried in
# this order; anything else is E (execute).
ACTION_VERBS: dict[str, tuple[str, ...]] = {
    "R": ("viewed", "listed", "history_viewed", "read", "exported", "searched"),
    "C": ("created", "registered", "submitted", "raised", "saved", "recorded", "granted"),
    "U": ("changed", "updated", "acknowledged", "actioned", "closed", "confirmed"),
    "D": ("deleted", "erased", "withdrawn", "revoked"),
}
PRACTITIONER_ROLES = frozenset({"clinician", "supervisor"})  # served as Practitioner
FHIR_INTERACTIONS = frozenset({"read", "vread", "search-type", "history-instance"})


class AuditRecord(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def actor_id(self) -> uuid.UUID | None: ...
    @property
    def actor_role(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def purpose(self) -> str: ...
    @property
    def object_type(self) -> str: ...
    @property
    def object_id(self) -> str: ...
    @property
    def source_ip(self) -> str | None: ...
    @property
    def detail(self) -> Mapping[str, Any]: ...


def action_code(action: str) -> str:
    """C, R, U, D or E (execute: anything that is not plainly one of the four)."""
    verb = action.rpartition(".")[2]
    for code, verbs in ACTION_VERBS.items():
        if verb in verbs or any(verb.endswith(f"_{v}") for v in verbs):
            return code
    return "E"


def is_break_glass(event: AuditRecord) -> bool:
    return event.purpose == PurposeOfUse.ETREAT or "break_glass" in event.action


def _agent(
    event: AuditRecord, *, patient_id: uuid.UUID, actor_is_patient: bool, include_network: bool
) -> Resource:
    if event.actor_id is None:
        return {"who": {"display": "Careloop (system)"}, "requestor": False}
    who: dict[str, str]
    if actor_is_patient:
        who = reference("Patient", patient_id)
    elif event.actor_role in PRACTITIONER_ROLES:
        who = reference("Practitioner", event.actor_id)
    else:  # staff outside care teams are not Practitioners here; never point at another patient
        who = {"display": f"Careloop user ({event.actor_role or 'unknown role'})"}
    agent: Resource = {"who": who, "requestor": True}
    if include_network and event.source_ip:
        agent["network"] = {"address": event.source_ip, "type": "2"}  # 2 = IP address
    return agent


def audit_event_resource(
    event: AuditRecord,
    *,
    patient_id: uuid.UUID,
    actor_is_patient: bool,
    include_network: bool,
) -> Resource:
    """The AuditEvent of one audit row about `patient_id` (the record's patient).

    `actor_is_patient`: the actor is this patient themself (agent.who → their Patient).
    """
    interaction = str(event.detail.get("interaction", ""))
    via_fhir = event.detail.get("via") == "fhir"
    subtypes: list[dict[str, str]] = [{"system": ACTION_SYSTEM, "code": event.action}]
    if via_fhir and interaction in FHIR_INTERACTIONS:
        subtypes.append({"system": RESTFUL_INTERACTION, "code": interaction})
    if is_break_glass(event):
        subtypes.insert(0, BREAK_GLASS)
    resource: Resource = {
        "resourceType": "AuditEvent",
        "id": str(event.id),
        "type": REST if via_fhir else PATIENT_RECORD,
        "subtype": subtypes,
        "action": action_code(event.action),
        "recorded": instant(event.occurred_at),
        "outcome": "0",
        "agent": [
            _agent(
                event,
                patient_id=patient_id,
                actor_is_patient=actor_is_patient,
                include_network=include_network,
            )
        ],
        "source": {
            "observer": {"display": "Careloop"},
            "type": [{"system": SOURCE_TYPE, "code": "4", "display": "Application Server"}],
        },
        "entity": [
            {
                "what": reference("Patient", patient_id),
                "type": {"system": ENTITY_TYPE, "code": "1", "display": "Person"},
                "role": {"system": OBJECT_ROLE, "code": "1", "display": "Patient"},
            }
        ],
    }
    if event.purpose:
        resource["purposeOfEvent"] = [{"coding": [{"system": ACT_REASON, "code": event.purpose}]}]
    if event.object_type and event.object_type != "Patient" and event.object_id:
        resource["entity"].append(
            {
                "what": {
                    "identifier": {
                        "system": f"{OBJECT_SYSTEM}/{event.object_type}",
                        "value": event.object_id,
                    }
                },
                "type": {"system": ENTITY_TYPE, "code": "2", "display": "System Object"},
            }
        )
    return with_meta(resource, event.occurred_at)
