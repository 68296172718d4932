"""The one assertion every emitted FHIR resource goes through in the test suite.

`assert_valid_fhir(resource)` checks three things:
1. the HL7 R4 JSON schema (../shared/data/fhir_r4/fhir.schema.json, draft-06, compiled once per
   resource type per session);
2. parsing with fhir.resources R4B models (cardinality, datatypes, unknown elements);
3. the required value sets fhir.resources does not check (careloop.fhir.mapping.valuesets).
A Bundle is checked as a shell and then entry by entry: the schema's 146-way choice for
`entry.resource` would otherwise take minutes per Bundle.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from jsonschema import Draft6Validator  # type: ignore[import-untyped]

from careloop.fhir.mapping.valuesets import value_set_violations

SCHEMA_PATH = (
    Path(__file__).resolve().parents[4] / "shared" / "data" / "fhir_r4" / "fhir.schema.json"
)


@cache
def _definitions() -> dict[str, Any]:
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        return dict(json.load(handle)["definitions"])


@cache
def _validator(resource_type: str) -> Draft6Validator:
    schema = {"$ref": f"#/definitions/{resource_type}", "definitions": _definitions()}
    return Draft6Validator(schema)


def _schema_errors(resource: dict[str, Any]) -> list[str]:
    resource_type = str(resource.get("resourceType"))
    if resource_type not in _definitions():
        return [f"unknown resourceType {resource_type!r}"]
    if resource_type != "Bundle":
        errors = _validator(resource_type).iter_errors(resource)
        return [f"{resource_type} {list(e.absolute_path)}: {e.message[:200]}" for e in errors]
    shell = dict(resource)
    entries = [dict(entry) for entry in resource.get("entry", [])]
    shell["entry"] = [{k: v for k, v in entry.items() if k != "resource"} for entry in entries]
    if not shell["entry"]:
        del shell["entry"]
    problems = [f"Bundle {list(e.absolute_path)}: {e.message[:200]}"
                for e in _validator("Bundle").iter_errors(shell)]  # fmt: skip
    for entry in entries:
        if "resource" in entry:
            problems += _schema_errors(entry["resource"])
    return problems


def assert_valid_fhir(resource: dict[str, Any], *, resource_type: str | None = None) -> None:
    """Fail the test unless `resource` is valid R4 JSON, parses as R4B and keeps value sets."""
    if resource_type is not None:
        assert resource.get("resourceType") == resource_type, resource.get("resourceType")
    problems = _schema_errors(resource)
    assert not problems, "FHIR schema: " + "; ".join(problems[:10])
    get_fhir_model_class(str(resource["resourceType"])).model_validate(resource)
    violations = value_set_violations(resource)
    assert not violations, f"required value sets: {violations}"
