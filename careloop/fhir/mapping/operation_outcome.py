"""FHIR OperationOutcome for every error the FHIR edge returns."""

from __future__ import annotations

import re

from careloop.fhir.mapping.common import Resource

# HTTP status → the closest issue-type code (required binding, IssueType value set).
ISSUE_CODE_FOR_STATUS = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    412: "duplicate",
    415: "not-supported",
    422: "processing",
    500: "exception",
}


# The one place internal field names (as the domain services word their errors) become the
# FHIR element they stand for, per resource type written: name → (FHIR path, the words that
# replace the name in the diagnostics; empty: the path itself). Search parameter errors name
# the parameter as `http.<name>` instead (R4 OperationOutcome.issue.location).
FHIR_PATHS: dict[str, dict[str, tuple[str, str]]] = {
    "QuestionnaireResponse": {
        "completed_at": ("QuestionnaireResponse.authored", ""),
        "authored": ("QuestionnaireResponse.authored", "authored"),
        "questionnaire": ("QuestionnaireResponse.questionnaire", "questionnaire"),
        "instrument": ("QuestionnaireResponse.questionnaire", ""),
        "subject": ("QuestionnaireResponse.subject", "subject"),
        "identifier": ("QuestionnaireResponse.identifier", "identifier"),
        "status": ("QuestionnaireResponse.status", "status"),
        "item": ("QuestionnaireResponse.item", "item"),
        "question": ("QuestionnaireResponse.item", "question"),
        "questions": ("QuestionnaireResponse.item", "questions"),
    },
    "Patient": {
        "id": ("Patient.id", "id"),
        "phone": ("Patient.telecom", "Patient.telecom (phone)"),
        "email": ("Patient.telecom", "Patient.telecom (email)"),
        "language": ("Patient.communication", "Patient.communication (language)"),
    },
    # Screening totals filed by `careloop fhir import`.
    "Observation": {
        "completed_at": ("Observation.effectiveDateTime", ""),
        "total": ("Observation.valueQuantity", "total (Observation.valueQuantity.value)"),
    },
}
_WORD = re.compile(r"[A-Za-z_]+")
_PATH = re.compile(r"[A-Z][A-Za-z]+(?:\.[A-Za-z]+(?:\[\d+\])?)+")


def fhir_issue(resource_type: str | None, message: str) -> tuple[str, list[str]]:
    """(diagnostics, expression) of an error about a `resource_type` body: the FHIR paths the
    message names, or else the first internal field it names, as its FHIR path (FHIR_PATHS)."""
    if resource_type is None:
        return message, []
    named = [
        p.group() for p in _PATH.finditer(message) if p.group().startswith(f"{resource_type}.")
    ]
    if named:
        return message, list(dict.fromkeys(named))
    names = FHIR_PATHS.get(resource_type, {})
    for word in _WORD.finditer(message):
        if word.group() in names:
            path, words = names[word.group()]
            return message[: word.start()] + (words or path) + message[word.end() :], [path]
    return message, []


def operation_outcome(
    status: int,
    diagnostics: str,
    *,
    severity: str = "error",
    expression: list[str] | None = None,
) -> Resource:
    issue: Resource = {
        "severity": severity,
        "code": ISSUE_CODE_FOR_STATUS.get(status, "processing"),
        "diagnostics": diagnostics,
    }
    if expression:
        issue["expression"] = expression
    return {"resourceType": "OperationOutcome", "issue": [issue]}
