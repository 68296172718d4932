"""The one assertion every emitted FHIR resource goes through in the test suite.

`assert_valid_fhir(resource)` checks three things:
1. the HL7 R4 JSON schema (../shared/data/fhir_r4/fhir.schema.json, draft-06, compiled once per
   resource type per session);
2. parsing with fhir.resources R4B models (cardinality, datatypes, unknown elements);
3. the required value sets fhir.resources does not check (careloop.fhir.mapping.valuesets);
4. FHIR's narrative rules on any `text` it carries (txt-1: only basic XHTML, no attributes that
   run script; txt-2: non-empty), the div parsed as XML.
A Bundle is checked as a shell and then entry by entry: the schema's 146-way choice for
`entry.resource` would otherwise take minutes per Bundle.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from jsonschema import Draft6Validator  # type: ignore[import-untyped]

from careloop.fhir.mapping.valuesets import value_set_violations

SCHEMA_PATH = (
    Path(__file__).resolve().parents[4] / "shared" / "data" / "fhir_r4" / "fhir.schema.json"
)


XHTML = "{http://www.w3.org/1999/xhtml}"
# txt-1: the XHTML elements a narrative may use (FHIR R4 Narrative, "Basic HTML").
NARRATIVE_ELEMENTS = frozenset(
    "a abbr acronym b big blockquote br caption cite code col colgroup dd dfn div dl dt em "  # noqa: SIM905
    "h1 h2 h3 h4 h5 h6 hr i img li ol p pre q samp small span strong sub sup table tbody td "
    "tfoot th thead tr tt ul var".split()
)
NARRATIVE_ATTRIBUTES = frozenset(
    "id class style title lang href name src alt colspan rowspan width height border".split()  # noqa: SIM905
)


def narrative_problems(text: dict[str, Any]) -> list[str]:
    """What breaks FHIR's narrative rules in a `text` element (txt-1, txt-2); [] when none."""
    div = str(text.get("div", ""))
    try:
        root = ET.fromstring(div)  # noqa: S314 (our own output; expat expands no external entities)
    except ET.ParseError as error:
        return [f"narrative: not well-formed XHTML ({error})"]
    if root.tag != f"{XHTML}div":
        return [f"narrative: the root must be an XHTML div in its namespace, not {root.tag}"]
    problems = []
    for element in root.iter():
        name = element.tag.removeprefix(XHTML)
        if not element.tag.startswith(XHTML) or name not in NARRATIVE_ELEMENTS:
            problems.append(f"txt-1: element {element.tag} not allowed")
        problems += [
            f"txt-1: attribute {attribute} on {name} not allowed"
            for attribute in element.attrib
            if attribute.rpartition("}")[2] not in NARRATIVE_ATTRIBUTES
        ]
    if not "".join(root.itertext()).strip() and root.find(f".//{XHTML}img") is None:
        problems.append("txt-2: the narrative is empty")
    return problems


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
    for text in _narratives(resource):
        problems = narrative_problems(text)
        assert not problems, f"{resource.get('resourceType')} narrative: {problems}"


def _narratives(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The `text` of the resource and, in a Bundle, of each entry's resource."""
    found = [resource["text"]] if isinstance(resource.get("text"), dict) else []
    for entry in resource.get("entry", []) if resource.get("resourceType") == "Bundle" else []:
        found += _narratives(entry.get("resource", {}))
    return found
