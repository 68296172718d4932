"""Hostile search input is a 400 OperationOutcome on every database, never a 500.

A NUL byte in a search value reached the database: PostgreSQL cannot hold NUL in a text
parameter and the request failed with a 500 (SQLite quietly searched for it). Run this file with
DATABASE_URL pointing at PostgreSQL too (CI runs the whole suite on both).
"""

from __future__ import annotations

import pytest

from careloop.fhir.rest.capability import SUPPORTED, accepted_parameters
from careloop.fhir.search.params import SearchError, parse_search

EVERY_PARAMETER = [
    (resource_type, name)
    for resource_type in SUPPORTED
    for name in sorted(accepted_parameters(resource_type))
]


@pytest.mark.parametrize(("resource_type", "name"), EVERY_PARAMETER)
def test_a_nul_in_any_search_value_is_a_400_operation_outcome(
    fhir, ben, ada_patient, ada_phq9, resource_type, name
) -> None:
    response = fhir(ben).get(resource_type, {name: "ab\x00c"})
    expected = 406 if name == "_format" else 400  # not a format served, checked first
    assert response.status_code == expected, (resource_type, name, response.status_code)
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["severity"] == "error"  # a declared pattern may refuse it first


def test_a_nul_in_a_parameter_name_or_in_paging_is_refused(fhir, ben, ada_patient) -> None:
    client = fhir(ben)
    assert client.get("Observation", {"co\x00de": "x"}).status_code == 400
    assert client.get(f"Patient/{ada_patient.id}/_history", {"_count": "1\x00"}).status_code == 400


@pytest.mark.parametrize("text", ["\x00", "a\x01b", "x\x1f", "\x7f"])
def test_the_parser_refuses_control_characters(text) -> None:
    with pytest.raises(SearchError, match="control character"):
        parse_search("Observation", {"code": [text]})


def test_the_parser_keeps_ordinary_text() -> None:
    search = parse_search("Patient", {"name": ["Zoë O'Neil\t"]})
    assert search.values("name") == ["Zoë O'Neil\t"]
