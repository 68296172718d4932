"""Conformance sample: every resource type the CapabilityStatement lists is served, searched on a
record with data in every domain, and each resource found is checked offline (HL7 R4 JSON
schema, fhir.resources R4B, required value sets: fhir_assert) and carries a generated narrative
whose div keeps FHIR's narrative rules (dom-6, txt-1, txt-2).

The types come from the CapabilityStatement, so a type added there cannot skip this check: the
test fails until the sample serves at least one resource of it.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from careloop.fhir.tests.fhir_assert import assert_valid_fhir, narrative_problems

pytestmark = pytest.mark.django_db

# Resources that carry no narrative by design (see mapping.narrative.WITHOUT_NARRATIVE).
NOT_DOMAIN_RESOURCES = frozenset({"Bundle", "Binary", "Parameters", "OperationOutcome"})


def _served_types(client: Any) -> dict[str, set[str]]:
    """Each type the CapabilityStatement lists → the search parameters it declares."""
    statement = client.get("metadata").json()
    assert _narrative(statement) == []
    return {
        entry["type"]: {parameter["name"] for parameter in entry.get("searchParam", [])}
        for entry in statement["rest"][0]["resource"]
    }


def _search(
    client: Any, resource_type: str, declared: set[str], patient_id: uuid.UUID
) -> list[dict[str, Any]]:
    query = {"patient": str(patient_id)} if "patient" in declared else {}
    response = client.get(resource_type, query | {"_count": "50"})
    assert response.status_code == 200, (resource_type, response.json())
    return [
        entry["resource"]
        for entry in response.json().get("entry", [])
        if entry.get("search", {}).get("mode") == "match"
    ]


def test_every_served_type_validates_with_a_narrative(fhir, ben, populated) -> None:
    client = fhir(ben)  # the patient's clinician sees every type of the record
    served = _served_types(client)
    covered: dict[str, int] = {}
    problems: list[str] = []
    for resource_type, declared in served.items():
        for resource in _search(client, resource_type, declared, populated.id):
            assert_valid_fhir(resource, resource_type=resource_type)
            read = client.get(f"{resource_type}/{resource['id']}").json()
            assert read == resource, f"{resource_type}/{resource['id']}: read differs from search"
            problems += [f"{resource_type}/{resource['id']}: {p}" for p in _narrative(resource)]
            covered[resource_type] = covered.get(resource_type, 0) + 1
    print("conformance sample:", dict(sorted(covered.items())))
    assert not problems, problems[:10]
    missing = sorted(set(served) - set(covered))
    assert not missing, f"types in the CapabilityStatement with no sample resource: {missing}"


def _narrative(resource: dict[str, Any]) -> list[str]:
    if resource["resourceType"] in NOT_DOMAIN_RESOURCES:
        return []
    if "text" not in resource:
        return ["dom-6: no narrative"]
    problems = narrative_problems(resource["text"])
    if resource["text"].get("status") != "generated":
        problems.append(f"text.status {resource['text'].get('status')!r}")
    return problems


@pytest.mark.parametrize(
    ("div", "problem"),
    [
        ('<div xmlns="http://www.w3.org/1999/xhtml"><p>PHQ-9 total score: 14</p></div>', None),
        ('<div xmlns="http://www.w3.org/1999/xhtml"></div>', "txt-2"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><script>x</script></div>', "txt-1"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="x">a</p></div>', "txt-1"),
        ("<div><p>a</p></div>", "namespace"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><p>a & b</p></div>', "well-formed"),
    ],
)
def test_the_narrative_check_catches_what_fhir_forbids(div: str, problem: str | None) -> None:
    found = narrative_problems({"status": "generated", "div": div})
    if problem is None:
        assert found == []
    else:
        assert any(problem in p for p in found), found
