"""A consent state as a FHIR R4 Consent resource (pure: plain values in, a dict out).

One resource per (purpose, data stream): status "active", provision permit or deny, the purpose
as an HL7 v3 ActReason code and the stream as a Careloop code; the policy names the exact
document version the patient decided on. Careloop's own URLs (the data-stream code system, the
receipt identifier system) are passed in: the FHIR layer owns the canonical base and rebases
them where the resource is emitted (privacy sits below fhir and must not import it).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from careloop.audit.types import PurposeOfUse

ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
LOINC = "http://loinc.org"
RESEARCH_PURPOSES = frozenset({PurposeOfUse.HRESCH, PurposeOfUse.MLTRAINING})


def consent_resource(
    *,
    patient_id: uuid.UUID,
    purpose: str,
    stream: str,
    permitted: bool,
    document_version: int | None,
    decided_at: datetime | None,
    receipt: str | None,
    resource_id: str,
    stream_system: str,
    receipt_system: str,
) -> dict[str, Any]:
    scope = "research" if purpose in RESEARCH_PURPOSES else "patient-privacy"
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": resource_id,
        "status": "active",
        "scope": {"coding": [{"system": CONSENT_SCOPE, "code": scope}]},
        "category": [{"coding": [{"system": LOINC, "code": "59284-0"}]}],
        "patient": {"reference": f"Patient/{patient_id}"},
        "policy": [
            {
                "uri": f"urn:careloop:consent-document:{purpose}:{stream}"
                + (f":v{document_version}" if document_version else ":default")
            }
        ],
        "provision": {
            "type": "permit" if permitted else "deny",
            "purpose": [{"system": ACT_REASON, "code": purpose}],
            "class": [{"system": stream_system, "code": stream}],
        },
    }
    if decided_at is not None:
        resource["dateTime"] = decided_at.isoformat()
    if receipt:
        resource["identifier"] = [{"system": receipt_system, "value": receipt}]
    return resource
