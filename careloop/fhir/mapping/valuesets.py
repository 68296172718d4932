"""Required value-set bindings that fhir.resources does not check (it accepts status 'bogus').

Only the small, closed code lists our resources use are listed; each is copied from the R4 spec
(https://hl7.org/fhir/R4/valueset-<name>.html).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

OBSERVATION_STATUS = frozenset(
    {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
     "entered-in-error", "unknown"}
)  # fmt: skip
QUESTIONNAIRE_RESPONSE_STATUS = frozenset(
    {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
)
PUBLICATION_STATUS = frozenset({"draft", "active", "retired", "unknown"})
FLAG_STATUS = frozenset({"active", "inactive", "entered-in-error"})
CARE_TEAM_STATUS = frozenset({"proposed", "active", "suspended", "inactive", "entered-in-error"})
ADMINISTRATIVE_GENDER = frozenset({"male", "female", "other", "unknown"})
BUNDLE_TYPE = frozenset(
    {"document", "message", "transaction", "transaction-response", "batch", "batch-response",
     "history", "searchset", "collection"}
)  # fmt: skip
SEARCH_ENTRY_MODE = frozenset({"match", "include", "outcome"})
ISSUE_SEVERITY = frozenset({"fatal", "error", "warning", "information"})
ISSUE_TYPE = frozenset(
    {"invalid", "structure", "required", "value", "invariant", "security", "login", "unknown",
     "expired", "forbidden", "suppressed", "processing", "not-supported", "duplicate",
     "multiple-matches", "not-found", "deleted", "too-long", "code-invalid", "extension",
     "too-costly", "business-rule", "conflict", "transient", "lock-error", "no-store",
     "exception", "timeout", "incomplete", "throttled", "informational"}
)  # fmt: skip
CAPABILITY_KIND = frozenset({"instance", "capability", "requirements"})
TYPE_INTERACTION = frozenset(
    {"read", "vread", "update", "patch", "delete", "history-instance", "history-type",
     "create", "search-type"}
)  # fmt: skip
SEARCH_PARAM_TYPE = frozenset(
    {"number", "date", "string", "token", "reference", "composite", "quantity", "uri", "special"}
)
RESTFUL_MODE = frozenset({"client", "server"})
PROVENANCE_ENTITY_ROLE = frozenset({"derivation", "revision", "quotation", "source", "removal"})
REQUEST_STATUS = frozenset(
    {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
)
CARE_PLAN_INTENT = frozenset({"proposal", "plan", "order", "option"})
CARE_PLAN_ACTIVITY_STATUS = frozenset(
    {"not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped",
     "unknown", "entered-in-error"}
)  # fmt: skip
CARE_PLAN_ACTIVITY_KIND = frozenset(
    {"Appointment", "CommunicationRequest", "DeviceRequest", "MedicationRequest",
     "NutritionOrder", "Task", "ServiceRequest", "VisionPrescription"}
)  # fmt: skip
AUDIT_EVENT_ACTION = frozenset({"C", "R", "U", "D", "E"})
AUDIT_EVENT_OUTCOME = frozenset({"0", "4", "8", "12"})
NETWORK_TYPE = frozenset({"1", "2", "3", "4", "5"})
CONSENT_STATE = frozenset(
    {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"}
)
CONSENT_PROVISION_TYPE = frozenset({"deny", "permit"})
EVENT_STATUS = frozenset(
    {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
     "entered-in-error", "unknown"}
)  # fmt: skip
HTTP_VERB = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"})

# resourceType → [(path, value set)]; a path names nested keys, lists are walked through.
BINDINGS: Mapping[str, tuple[tuple[tuple[str, ...], frozenset[str]], ...]] = {
    "Observation": ((("status",), OBSERVATION_STATUS),),
    "QuestionnaireResponse": ((("status",), QUESTIONNAIRE_RESPONSE_STATUS),),
    "Questionnaire": ((("status",), PUBLICATION_STATUS),),
    "Flag": ((("status",), FLAG_STATUS),),
    "Provenance": ((("entity", "role"), PROVENANCE_ENTITY_ROLE),),
    "CareTeam": ((("status",), CARE_TEAM_STATUS),),
    "Patient": ((("gender",), ADMINISTRATIVE_GENDER),),
    "Practitioner": ((("gender",), ADMINISTRATIVE_GENDER),),
    "CarePlan": (
        (("status",), REQUEST_STATUS),
        (("intent",), CARE_PLAN_INTENT),
        (("activity", "detail", "status"), CARE_PLAN_ACTIVITY_STATUS),
        (("activity", "detail", "kind"), CARE_PLAN_ACTIVITY_KIND),
    ),
    "RiskAssessment": ((("status",), OBSERVATION_STATUS),),
    "AuditEvent": (
        (("action",), AUDIT_EVENT_ACTION),
        (("outcome",), AUDIT_EVENT_OUTCOME),
        (("agent", "network", "type"), NETWORK_TYPE),
    ),
    "Consent": (
        (("status",), CONSENT_STATE),
        (("provision", "type"), CONSENT_PROVISION_TYPE),
        (("provision", "provision", "type"), CONSENT_PROVISION_TYPE),
    ),
    "Communication": ((("status",), EVENT_STATUS),),
    "Bundle": (
        (("type",), BUNDLE_TYPE),
        (("entry", "search", "mode"), SEARCH_ENTRY_MODE),
        (("entry", "request", "method"), HTTP_VERB),
    ),
    "OperationOutcome": (
        (("issue", "severity"), ISSUE_SEVERITY),
        (("issue", "code"), ISSUE_TYPE),
    ),
    "CapabilityStatement": (
        (("status",), PUBLICATION_STATUS),
        (("kind",), CAPABILITY_KIND),
        (("rest", "mode"), RESTFUL_MODE),
        (("rest", "resource", "interaction", "code"), TYPE_INTERACTION),
        (("rest", "resource", "searchParam", "type"), SEARCH_PARAM_TYPE),
    ),
}


def _values_at(node: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if isinstance(node, list):
        for element in node:
            yield from _values_at(element, path)
        return
    if not path:
        yield node
        return
    if isinstance(node, Mapping) and path[0] in node:
        yield from _values_at(node[path[0]], path[1:])


def value_set_violations(resource: Mapping[str, Any]) -> list[str]:
    """Every bound code in `resource` (and in Bundle entries) that is outside its value set."""
    problems = []
    for path, allowed in BINDINGS.get(str(resource.get("resourceType")), ()):
        for value in _values_at(resource, path):
            if value not in allowed:
                problems.append(f"{resource['resourceType']}.{'.'.join(path)}: {value!r}")
    for entry in resource.get("entry") or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("resource"), Mapping):
            problems += value_set_violations(entry["resource"])
    return problems
