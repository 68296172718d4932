"""What the FHIR endpoint supports, declared once as data (pure).

The same table builds the CapabilityStatement and tells the edge which search parameters each
type accepts, so the statement cannot claim what the server does not do (and the reverse). The
search parameters themselves are declared in careloop.fhir.search.parameters, which also builds
the search endpoints' OpenAPI parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from careloop.fhir.mapping.common import Resource, instant
from careloop.fhir.mapping.conformance import CONFORMANCE_TYPES
from careloop.fhir.mapping.narrative import narrative
from careloop.fhir.search.parameters import SEARCHES

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
    # Earlier versions are kept (or rebuilt exactly), so _history returns more than the current.
    read_history: bool = False
    # Updates must name the version they were made from (If-Match): "versioned-update".
    versioned_update: bool = False


# Every type answers vread and instance history; see read_history for which keep old versions.
_READ = ("read", "vread", "history-instance", "search-type")


def _search(resource_type: str) -> Mapping[str, str]:
    return SEARCHES[resource_type].types()


SUPPORTED: Mapping[str, TypeSupport] = {
    # update: by the patient themself, of their contact details only (fhir.rest.patient_update).
    "Patient": TypeSupport(
        (*_READ, "update"),
        _search("Patient"),
        sorts=("_lastUpdated",),
        versioned_update=True,
    ),
    "Practitioner": TypeSupport(_READ, _search("Practitioner")),
    "CareTeam": TypeSupport(
        _READ,
        _search("CareTeam"),
        includes=("CareTeam:participant",),
    ),
    "Questionnaire": TypeSupport(_READ, _search("Questionnaire")),
    "QuestionnaireResponse": TypeSupport(
        (*_READ, "create"),
        _search("QuestionnaireResponse"),
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
        _search("Observation"),
        sorts=("date", "_lastUpdated"),
        includes=("Observation:subject", "Observation:patient", "Observation:derived-from"),
    ),
    "Provenance": TypeSupport(_READ, _search("Provenance")),
    "Flag": TypeSupport(
        _READ,
        _search("Flag"),
        sorts=("date", "_lastUpdated"),
        includes=("Flag:subject", "Flag:patient"),
        read_history=True,
    ),
    "CarePlan": TypeSupport(
        _READ,
        _search("CarePlan"),
        sorts=("_lastUpdated",),
        includes=("CarePlan:subject", "CarePlan:patient"),
        read_history=True,
    ),
    "RiskAssessment": TypeSupport(
        _READ,
        _search("RiskAssessment"),
        sorts=("date", "_lastUpdated"),
        includes=("RiskAssessment:subject", "RiskAssessment:patient"),
        read_history=True,
    ),
    "AuditEvent": TypeSupport(
        _READ,
        _search("AuditEvent"),
        sorts=("date",),
    ),
    "Consent": TypeSupport(
        _READ,
        _search("Consent"),
        sorts=("date", "_lastUpdated"),
        includes=("Consent:patient",),
    ),
    "Communication": TypeSupport(
        _READ,
        _search("Communication"),
        sorts=("sent", "_lastUpdated"),
        includes=("Communication:subject", "Communication:patient"),
    ),
}


def accepted_parameters(resource_type: str) -> frozenset[str]:
    support = SUPPORTED[resource_type]
    extra = {"_sort"} if support.sorts else set()
    extra |= {"_include"} if support.includes else set()
    return COMMON_PARAMETERS | frozenset(support.search) | extra


def capability_statement(base_url: str, software_version: str, now: datetime) -> Resource:
    """A CapabilityStatement (kind instance) describing exactly the table above."""
    types = len(SUPPORTED) + len(CONFORMANCE_TYPES)
    return {
        "resourceType": "CapabilityStatement",
        "text": narrative(
            f"Careloop FHIR R4 ({FHIR_VERSION}) server {software_version}: {types} resource "
            "types, SMART on FHIR, bulk export"
        ),
        "status": "active",
        "date": instant(now),
        "publisher": "Careloop",
        "kind": "instance",
        "software": {"name": "Careloop", "version": software_version},
        "implementation": {"description": "Careloop FHIR R4 endpoint", "url": base_url},
        "instantiates": ["http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"],
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "SMART on FHIR bearer tokens (see .well-known/smart-configuration) or "
                    "session-cookie authentication (sign in at /accounts/login/; staff need "
                    "MFA; unsafe methods need the X-CSRFToken header). Unknown search "
                    "parameters are ignored with a warning in the Bundle, or refused (400) "
                    "with the header Prefer: handling=strict."
                ),
                "security": _security(base_url),
                "resource": [
                    *(_resource_entry(name, s) for name, s in SUPPORTED.items()),
                    *(_conformance_entry(name) for name in CONFORMANCE_TYPES),
                ],
                "operation": [_GROUP_EXPORT],
            }
        ],
    }


# Bulk Data Access v2: GET Group/<service id>/$export (system clients only). Declared at the
# rest level: Group is not a readable resource type here.
_GROUP_EXPORT: Resource = {
    "name": "export",
    "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export",
    "documentation": "Group/<service id>/$export: the service's consenting patients (NDJSON)",
}
SMART_OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"


def _security(base_url: str) -> Resource:
    """SMART on FHIR: the service coding and the OAuth endpoints (mounted at the origin's /o/)."""
    origin = base_url.rsplit("/fhir/", 1)[0]
    return {
        "cors": False,
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }
                ]
            }
        ],
        "extension": [
            {
                "url": SMART_OAUTH_URIS,
                "extension": [
                    {"url": name, "valueUri": f"{origin}/o/{path}/"}
                    # Only what R4's oauth-uris defines (token, authorize, register, manage):
                    # the revocation and introspection endpoints are in SMART discovery.
                    for name, path in (("authorize", "authorize"), ("token", "token"))
                ],
            }
        ],
    }


def _conformance_entry(resource_type: str) -> Resource:
    """The definitions Careloop's canonical URLs name (careloop.fhir.rest.conformance)."""
    return {
        "type": resource_type,
        "documentation": (
            "Careloop's own definitions, read without authentication; also in the FHIR package "
            "at package.tgz."
        ),
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "versioning": "no-version",
        "readHistory": False,
        "updateCreate": False,
        "conditionalCreate": False,
        "searchParam": [{"name": "_id", "type": "token"}, _url_param(resource_type)],
    }


def _url_param(resource_type: str) -> Resource:
    if resource_type != "NamingSystem":
        return {"name": "url", "type": "uri"}
    return {
        "name": "url",
        "type": "uri",
        "documentation": "The identifier system (R4 NamingSystem has no url: its uniqueId).",
    }


def _resource_entry(resource_type: str, support: TypeSupport) -> Resource:
    entry: Resource = {
        "type": resource_type,
        "interaction": [{"code": code} for code in support.interactions],
        "versioning": "versioned-update" if support.versioned_update else "versioned",
        "readHistory": support.read_history,
        "updateCreate": False,
        "conditionalCreate": support.conditional_create,
        "searchParam": _search_params(resource_type, support),
    }
    if support.includes:
        entry["searchInclude"] = list(support.includes)
    combinations = _required_combinations(resource_type)
    if combinations:
        entry["extension"] = combinations
    return entry


# R4 has no "required" flag on searchParam: a type whose search must name certain parameters
# (else 400) lists each sufficient combination with this extension, and says so in words in
# those parameters' documentation (both from search/parameters.py).
SEARCH_COMBINATION = (
    "http://hl7.org/fhir/StructureDefinition/capabilitystatement-search-parameter-combination"
)


def _search_params(resource_type: str, support: TypeSupport) -> list[Resource]:
    declared = SEARCHES[resource_type]
    required = {name for combination in declared.required for name in combination}
    descriptions = {p.name: p.description for p in declared.parameters}
    params = []
    for name, kind in sorted(support.search.items()):
        param: Resource = {"name": name, "type": kind}
        words = [descriptions.get(name, "")]
        if name in required:
            words.append(declared.requirement())
        documentation = "; ".join(w for w in words if w)
        if documentation:
            param["documentation"] = documentation
        params.append(param)
    return params


def _required_combinations(resource_type: str) -> list[Resource]:
    return [
        {
            "url": SEARCH_COMBINATION,
            "extension": [{"url": "required", "valueString": name} for name in combination],
        }
        for combination in SEARCHES[resource_type].required
    ]
