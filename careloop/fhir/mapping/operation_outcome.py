"""FHIR OperationOutcome for every error the FHIR edge returns."""

from __future__ import annotations

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


def operation_outcome(status: int, diagnostics: str, *, severity: str = "error") -> Resource:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": severity,
                "code": ISSUE_CODE_FOR_STATUS.get(status, "processing"),
                "diagnostics": diagnostics,
            }
        ],
    }
