"""An audit row (careloop.audit) → FHIR AuditEvent, shaped after IHE BALP.

The audit row no longer has to hold the raw patient id (it keeps a keyed hash): the caller found
the row through the patient and passes the patient's id in. `detail` is never emitted, and the
agent's network address only when the reader is staff (a patient reading their own record's
trail sees who looked, not from where).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
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

# AuditEvent.type (DICOM, in the audit-event-type value set) for events outside the FHIR API;
# an event the FHIR API recorded is typed `rest` instead.
AUDIT_LOG_USED = {"system": DICOM, "code": "110101", "display": "Audit Log Used"}
APPLICATION_ACTIVITY = {"system": DICOM, "code": "110100", "display": "Application Activity"}
EXPORT = {"system": DICOM, "code": "110106", "display": "Export"}
SECURITY_ALERT = {"system": DICOM, "code": "110113", "display": "Security Alert"}
USER_AUTHENTICATION = {"system": DICOM, "code": "110114", "display": "User Authentication"}


@dataclass(frozen=True)
class StandardCodes:
    """The standard codes of an audit action: `type` (DICOM) and the restful-interaction the
    action amounts to (`None`: none fits, e.g. a notification sent or a sign-in)."""

    type: dict[str, str]
    interaction: str | None


def _codes(kind: dict[str, str], interaction: str | None = None) -> StandardCodes:
    return StandardCodes(kind, interaction)


_RECORD = PATIENT_RECORD
# Every audit action (careloop.audit.types.AuditAction values) → its standard codes, in one
# place; tests/test_audit_codes.py checks it covers every action and uses only valid codes.
STANDARD_CODES: dict[str, StandardCodes] = {
    "auth.signed_in": _codes(USER_AUTHENTICATION),
    "auth.sign_in_failed": _codes(USER_AUTHENTICATION),
    "auth.locked_out": _codes(SECURITY_ALERT),
    "auth.mfa_enrolled": _codes(USER_AUTHENTICATION),
    "auth.mfa_verified": _codes(USER_AUTHENTICATION),
    "auth.mfa_failed": _codes(USER_AUTHENTICATION),
    "auth.access_denied": _codes(SECURITY_ALERT),
    "account.invited": _codes(APPLICATION_ACTIVITY, "create"),
    "account.invitation_accepted": _codes(USER_AUTHENTICATION),
    "patient.registered": _codes(_RECORD, "create"),
    "patient.viewed": _codes(_RECORD, "read"),
    "patient.listed_in_caseload": _codes(_RECORD, "search-type"),
    "patient.contact_details_updated": _codes(_RECORD, "update"),
    "patient.discharged": _codes(_RECORD, "update"),
    "care_team.created": _codes(APPLICATION_ACTIVITY, "create"),
    "care_team.member_added": _codes(APPLICATION_ACTIVITY, "update"),
    "care_team.member_removed": _codes(APPLICATION_ACTIVITY, "update"),
    "privacy.consent_document_published": _codes(APPLICATION_ACTIVITY, "create"),
    "privacy.consent_given": _codes(_RECORD, "create"),
    "privacy.consent_withdrawn": _codes(_RECORD, "create"),  # a new decision, the old one stays
    "privacy.break_glass_started": _codes(SECURITY_ALERT),
    "privacy.break_glass_read": _codes(_RECORD, "read"),
    "privacy.break_glass_ended": _codes(SECURITY_ALERT),
    "privacy.break_glass_reviewed": _codes(AUDIT_LOG_USED, "update"),
    "assessment.submitted": _codes(_RECORD, "create"),
    "assessment.history_viewed": _codes(_RECORD, "search-type"),
    "alert.raised": _codes(_RECORD, "create"),
    "alert.notified": _codes(_RECORD),
    "alert.viewed": _codes(_RECORD, "search-type"),
    "alert.escalated": _codes(_RECORD),
    "alert.escalation_deferred": _codes(_RECORD),
    "alert.fallback_fired": _codes(_RECORD),
    "alert.acknowledged": _codes(_RECORD, "update"),
    "alert.actioned": _codes(_RECORD, "update"),
    "alert.closed": _codes(_RECORD, "update"),
    "escalation.policy_changed": _codes(APPLICATION_ACTIVITY, "update"),
    "escalation.on_call_changed": _codes(APPLICATION_ACTIVITY, "update"),
    "review.requested": _codes(_RECORD, "create"),
    "review.completed": _codes(_RECORD, "update"),
    "review.viewed": _codes(_RECORD, "search-type"),
    "safety_plan.version_saved": _codes(_RECORD, "update"),  # a new version of the one plan
    "safety_plan.viewed": _codes(_RECORD, "read"),
    "crisis_resource.confirmed": _codes(APPLICATION_ACTIVITY, "update"),
    "crisis_resource.withdrawn": _codes(APPLICATION_ACTIVITY, "update"),
    "measurement_plan.created": _codes(_RECORD, "create"),
    "measurement_plan.item_changed": _codes(_RECORD, "update"),
    "checkin.submitted": _codes(_RECORD, "create"),
    "reminders.preferences_changed": _codes(_RECORD, "update"),
    "follow_up.offered": _codes(_RECORD, "create"),
    "follow_up.completed": _codes(_RECORD, "update"),
    "monitoring_settings.risk_follow_up_changed": _codes(_RECORD, "update"),
    "journal.entry_written": _codes(_RECORD, "create"),
    "journal.sharing_changed": _codes(_RECORD, "update"),
    "journal.shared_entries_viewed": _codes(_RECORD, "search-type"),
    "message.sent": _codes(_RECORD, "create"),
    "message.read": _codes(_RECORD, "read"),
    "message.thread_viewed": _codes(_RECORD, "search-type"),
    "fhir.client_registered": _codes(APPLICATION_ACTIVITY, "create"),
    "fhir.bulk_export_requested": _codes(EXPORT, "operation"),
    "fhir.bulk_export_completed": _codes(EXPORT),
    "fhir.bulk_export_cancelled": _codes(EXPORT, "delete"),
    "fhir.bulk_patient_exported": _codes(EXPORT, "operation"),
    "fhir.bulk_file_downloaded": _codes(EXPORT, "read"),
    "audit.trail_viewed": _codes(AUDIT_LOG_USED, "search-type"),
    "service.report_viewed": _codes(APPLICATION_ACTIVITY, "search-system"),
    "service.report_downloaded": _codes(EXPORT, "search-system"),
    "research.extracted": _codes(EXPORT, "operation"),
    "service.population_seeded": _codes(APPLICATION_ACTIVITY, "create"),
    "rights.data_viewed": _codes(_RECORD, "read"),
    "rights.exported": _codes(EXPORT, "operation"),
    "rights.erasure_requested": _codes(_RECORD, "create"),
    "rights.erasure_request_withdrawn": _codes(_RECORD, "update"),
    "rights.erased": _codes(_RECORD, "delete"),
    "ai.model_registered": _codes(APPLICATION_ACTIVITY, "create"),
    "ai.model_activated": _codes(APPLICATION_ACTIVITY, "update"),
    "ai.model_activation_refused": _codes(APPLICATION_ACTIVITY),
    "ai.model_switched_off": _codes(APPLICATION_ACTIVITY, "update"),
    "ai.model_switched_on": _codes(APPLICATION_ACTIVITY, "update"),
    "ai.rules_dry_run": _codes(APPLICATION_ACTIVITY, "search-system"),
    "ai.fairness_audited": _codes(APPLICATION_ACTIVITY, "search-system"),
    "ai.drift_checked": _codes(APPLICATION_ACTIVITY, "search-system"),
    "ai.prediction_recorded": _codes(_RECORD, "create"),
    "ai.suggestion_recorded": _codes(_RECORD, "create"),
    "ai.suggestion_decided": _codes(_RECORD, "update"),
    "ai.human_review_requested": _codes(_RECORD, "create"),
    "ai.human_review_answered": _codes(_RECORD, "update"),
    "care.step_changed": _codes(_RECORD, "update"),
    "supervision.review_list_viewed": _codes(_RECORD, "search-system"),
    "supervision.note_added": _codes(_RECORD, "create"),
    "supervision.signed_off": _codes(_RECORD, "update"),
}
UNKNOWN_ACTION = _codes(PATIENT_RECORD)  # an action newer than this table (tests forbid it)


def standard_codes(event: AuditRecord) -> tuple[dict[str, str], str | None]:
    """The event's `type` coding and restful-interaction code (None: none fits).

    An event the FHIR API recorded is `rest`, with the interaction it recorded; any other takes
    the action's row of STANDARD_CODES.
    """
    codes = STANDARD_CODES.get(event.action, UNKNOWN_ACTION)
    if event.detail.get("via") == "fhir":
        interaction = str(event.detail.get("interaction", ""))
        return REST, interaction if interaction in FHIR_INTERACTIONS else codes.interaction
    return codes.type, codes.interaction


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


# The AuditEventAction each restful interaction is (operation and the rest: E, execute).
INTERACTION_ACTION = {
    "create": "C", "read": "R", "vread": "R", "search-type": "R", "search-system": "R",
    "history-instance": "R", "update": "U", "delete": "D",
}  # fmt: skip


def action_code(action: str) -> str:
    """C, R, U, D or E (execute: anything that is not plainly one of the four).

    An action in STANDARD_CODES takes the letter of its interaction; an action the table does
    not know (a retired code on an old row) is read from the verb of its dotted code.
    """
    codes = STANDARD_CODES.get(action)
    if codes is not None:
        return INTERACTION_ACTION.get(codes.interaction or "", "E")
    return verb_action_code(action)


def verb_action_code(action: str) -> str:
    """The letter the verb at the end of a dotted code reads as (ACTION_VERBS)."""
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
    event_type, interaction = standard_codes(event)
    subtypes: list[dict[str, str]] = [{"system": ACTION_SYSTEM, "code": event.action}]
    if interaction is not None:
        subtypes.append({"system": RESTFUL_INTERACTION, "code": interaction})
    if is_break_glass(event):
        subtypes.insert(0, BREAK_GLASS)
    resource: Resource = {
        "resourceType": "AuditEvent",
        "id": str(event.id),
        "type": event_type,
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
