"""The search parameters are declared once (search/parameters.py): the OpenAPI document, the
CapabilityStatement and the parser all list exactly the declared ones, so they cannot drift."""

from __future__ import annotations

import pytest

from careloop.fhir.rest.api import fhir_api
from careloop.fhir.rest.capability import SUPPORTED, accepted_parameters
from careloop.fhir.search.parameters import SEARCHES

CONTROLS = {"_count", "_offset", "_summary"}  # every search documents these (paging, count only)


def test_every_supported_type_declares_its_search_and_nothing_else() -> None:
    assert set(SEARCHES) == set(SUPPORTED)


@pytest.mark.parametrize("resource_type", list(SEARCHES))
def test_the_openapi_document_lists_exactly_the_declared_parameters(resource_type: str) -> None:
    operation = fhir_api.get_openapi_schema()["paths"][f"/fhir/r4/{resource_type}"]["get"]
    documented = [p["name"] for p in operation["parameters"]]
    support = SUPPORTED[resource_type]
    declared = [p.name for p in SEARCHES[resource_type].parameters]
    controls = ["_sort"] * bool(support.sorts) + ["_include"] * bool(support.includes)
    assert documented == [*declared, *controls, "_count", "_offset", "_summary"]
    described = {p["name"]: p.get("description", "") for p in operation["parameters"]}
    for parameter in SEARCHES[resource_type].parameters:
        assert described[parameter.name] == parameter.description


@pytest.mark.parametrize("resource_type", list(SEARCHES))
def test_the_capability_statement_and_the_parser_take_the_declared_parameters(
    resource_type: str,
) -> None:
    declared = {p.name: p.type for p in SEARCHES[resource_type].parameters}
    assert dict(SUPPORTED[resource_type].search) == declared
    assert set(declared) | CONTROLS <= accepted_parameters(resource_type)


COMBINATION = (
    "http://hl7.org/fhir/StructureDefinition/capabilitystatement-search-parameter-combination"
)


def test_a_search_that_requires_a_parameter_says_so_in_the_capability_statement(
    anonymous_fhir,
) -> None:
    statement = anonymous_fhir.get("metadata").json()
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    for resource_type, declared in SEARCHES.items():
        entry = resources[resource_type]
        combinations = [
            sorted(e["valueString"] for e in ext["extension"] if e["url"] == "required")
            for ext in entry.get("extension", [])
            if ext["url"] == COMBINATION
        ]
        assert combinations == [sorted(c) for c in declared.required], resource_type
        if declared.required:
            documented = {p["name"]: p.get("documentation", "") for p in entry["searchParam"]}
            for combination in declared.required:
                for name in combination:
                    assert "required" in documented[name].lower(), (resource_type, name)
    assert SEARCHES["AuditEvent"].required  # a staff AuditEvent search without patient= is 400


def test_the_oauth_uris_extension_holds_only_what_r4_defines(anonymous_fhir) -> None:
    statement = anonymous_fhir.get("metadata").json()
    (oauth,) = statement["rest"][0]["security"]["extension"]
    names = {e["url"] for e in oauth["extension"]}
    assert names <= {"token", "authorize", "register", "manage"}
    assert {"token", "authorize"} <= names
    smart = anonymous_fhir.client.get("/.well-known/smart-configuration").json()
    assert smart["revocation_endpoint"].endswith("/o/revoke_token/")
    assert smart["introspection_endpoint"].endswith("/o/introspect/")
