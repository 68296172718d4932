"""A patient's consent decision (careloop.privacy) → FHIR Consent.

Every decision is an immutable receipt and becomes one Consent: the newest decision for its
(purpose of use, data stream) is in force (given → status active, provision permit; withdrawn →
status rejected, provision deny), every earlier one is inactive from the moment it was replaced.
The purpose is an HL7 v3-ActReason code; the data stream is a Careloop code on provision.code.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from careloop.fhir.mapping.common import (
    CARELOOP_FHIR,
    LOINC,
    Resource,
    instant,
    reference,
    with_meta,
)

CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
DATA_STREAM_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/data-stream"
CONSENT_DOCUMENT_SYSTEM = f"{CARELOOP_FHIR}/NamingSystem/consent-document"
RECEIPT_SYSTEM = f"{CARELOOP_FHIR}/NamingSystem/consent-receipt"
PATIENT_CONSENT = {"system": LOINC, "code": "59284-0", "display": "Patient Consent"}
GIVEN = "given"
# The patient's choice is opt-in or opt-out (required uses offer no choice, so no decision).
POLICY_RULE = {"opt_in": "OPTIN", "opt_out": "OPTOUT"}


class DecisionRecord(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def patient_id(self) -> uuid.UUID: ...
    @property
    def purpose(self) -> str: ...
    @property
    def stream(self) -> str: ...
    @property
    def choice(self) -> str: ...
    @property
    def document_version(self) -> int: ...
    @property
    def decided_at(self) -> datetime: ...
    @property
    def receipt(self) -> str: ...


def consent_status(decision: DecisionRecord, superseded_at: datetime | None) -> str:
    if superseded_at is not None:
        return "inactive"
    return "active" if decision.choice == GIVEN else "rejected"


def consent_resource(
    decision: DecisionRecord, *, basis: str, superseded_at: datetime | None
) -> Resource:
    """`basis`: opt_in or opt_out (privacy.policy.consent_basis of the purpose and stream);
    `superseded_at`: when a later decision for the same purpose and stream replaced this one."""
    resource: Resource = {
        "resourceType": "Consent",
        "id": str(decision.id),
        "identifier": [{"system": RECEIPT_SYSTEM, "value": decision.receipt}],
        "status": consent_status(decision, superseded_at),
        "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "patient-privacy"}]},
        "category": [{"coding": [PATIENT_CONSENT]}],
        "patient": reference("Patient", decision.patient_id),
        "dateTime": instant(decision.decided_at),
        "performer": [reference("Patient", decision.patient_id)],
        "sourceReference": {
            "identifier": {
                "system": CONSENT_DOCUMENT_SYSTEM,
                "value": f"{decision.purpose}/{decision.stream}/{decision.document_version}",
            },
            "display": (
                f"Consent text for {decision.purpose} / {decision.stream}, "
                f"version {decision.document_version}"
            ),
        },
        "provision": {
            "type": "permit" if decision.choice == GIVEN else "deny",
            "purpose": [{"system": ACT_REASON, "code": decision.purpose}],
            "code": [{"coding": [{"system": DATA_STREAM_SYSTEM, "code": decision.stream}]}],
        },
    }
    if basis in POLICY_RULE:
        resource["policyRule"] = {"coding": [{"system": ACT_CODE, "code": POLICY_RULE[basis]}]}
    if superseded_at is not None:
        resource["provision"]["period"] = {
            "start": instant(decision.decided_at),
            "end": instant(superseded_at),
        }
    return with_meta(resource, superseded_at or decision.decided_at)
