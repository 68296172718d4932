"""What the FHIR endpoint supports, declared once as data (pure).

The same table builds the CapabilityStatement and tells the edge which search parameters each
type accepts, so the statement cannot claim what the server does not do (and the reverse).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from careloop.fhir.resources.common import Resource, instant

FHIR_VERSION = "4.0.1"
# Parameters every search accepts besides the type's own (paging, sorting, format hints).
COMMON_PARAMETERS = frozenset({"_count", "_offset", "_format", "_pretty", "_summary", "_total"})


@dataclass(frozen=True)
class TypeSupport:
    interactions: tuple[str, ...]
    search: Mapping[str, str]  # name → FHIR search parameter type
    sorts: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    conditional_create: bool = False


_READ = ("read", "search-type")
_DATED = {"_id": "token", "patient": "reference", "subject": "reference", "_lastUpdated": "date"}

SUPPORTED: Mapping[str, TypeSupport] = {
    "Patient": TypeSupport(
        _READ,
        {"_id": "token", "name": "string", "gender": "token", "_lastUpdated": "date"},
        sorts=("_lastUpdated",),
    ),
    "Practitioner": TypeSupport(_READ, {"_id": "token"}),
    "CareTeam": TypeSupport(
        _READ,
        {"_id": "token", "patient": "reference", "status": "token"},
        includes=("CareTeam:participant",),
    ),
    "Questionnaire": TypeSupport(
        _READ,
        {"_id": "token", "url": "uri", "name": "string", "status": "token", "code": "token"},
    ),
    "QuestionnaireResponse": TypeSupport(
        ("read", "search-type", "create"),
        _DATED
        | {
            "questionnaire": "reference",
            "status": "token",
            "authored": "date",
            "identifier": "token",
        },
        sorts=("authored", "_lastUpdated"),
        includes=(
            "QuestionnaireResponse:subject",
            "QuestionnaireResponse:patient",
            "QuestionnaireResponse:questionnaire",
        ),
        conditional_create=True,
    ),
    "Observation": TypeSupport(
        _READ,
        _DATED | {"code": "token", "date": "date", "status": "token", "category": "token"},
        sorts=("date", "_lastUpdated"),
        includes=("Observation:subject", "Observation:patient", "Observation:derived-from"),
    ),
    "Provenance": TypeSupport(
        _READ, {"_id": "token", "patient": "reference", "target": "reference"}
    ),
    "Flag": TypeSupport(
        _READ,
        _DATED | {"status": "token", "date": "date"},
        sorts=("date", "_lastUpdated"),
        includes=("Flag:subject", "Flag:patient"),
    ),
}


def accepted_parameters(resource_type: str) -> frozenset[str]:
    support = SUPPORTED[resource_type]
    extra = {"_sort"} if support.sorts else set()
    extra |= {"_include"} if support.includes else set()
    return COMMON_PARAMETERS | frozenset(support.search) | extra


def capability_statement(base_url: str, software_version: str, now: datetime) -> Resource:
    """A CapabilityStatement (kind instance) describing exactly the table above."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": instant(now),
        "publisher": "Careloop",
        "kind": "instance",
        "software": {"name": "Careloop", "version": software_version},
        "implementation": {"description": "Careloop FHIR R4 endpoint", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Session-cookie authentication (sign in at /accounts/login/; staff need "
                    "MFA; unsafe methods need the X-CSRFToken header). SMART on FHIR is not "
                    "available yet. Unknown search parameters are ignored with a warning in "
                    "the Bundle, or refused (400) with the header Prefer: handling=strict."
                ),
                "resource": [_resource_entry(name, s) for name, s in SUPPORTED.items()],
            }
        ],
    }


def _resource_entry(resource_type: str, support: TypeSupport) -> Resource:
    entry: Resource = {
        "type": resource_type,
        "interaction": [{"code": code} for code in support.interactions],
        "versioning": "versioned",
        "readHistory": False,
        "updateCreate": False,
        "conditionalCreate": support.conditional_create,
        "searchParam": [{"name": n, "type": t} for n, t in sorted(support.search.items())],
    }
    if support.includes:
        entry["searchInclude"] = list(support.includes)
    return entry
