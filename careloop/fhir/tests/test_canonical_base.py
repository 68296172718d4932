"""The canonical base is a setting, and what it names is served.

Every Careloop URL in what the server emits (extensions, code systems, Questionnaire canonicals,
identifier systems) starts with settings.CARELOOP_FHIR_CANONICAL_BASE; each extension and code
system URL resolves on the server to the StructureDefinition / CodeSystem with that url; a
QuestionnaireResponse naming the old placeholder canonical still files.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from careloop.fhir.mapping.canonical import DEFAULT_BASE, rebase, rebase_json_text
from careloop.fhir.rest.capability import SUPPORTED
from careloop.fhir.search.parameters import SEARCHES
from careloop.fhir.tests.conftest import phq9_response
from careloop.fhir.tests.fhir_assert import assert_valid_fhir

pytestmark = pytest.mark.django_db

NEW_BASE = "https://fhir.clinic.example.org/fhir/r4"
# Canonicals whose instrument id holds '_', which a FHIR id cannot (their ids are audit-c...).
CONFORMANCE = ("StructureDefinition", "CodeSystem", "ValueSet", "NamingSystem")
UNDERSCORED_QUESTIONNAIRES = ("Questionnaire/audit_c", "Questionnaire/cssrs_screener")


def _sample(client: Any, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    """One search of every clinical type on the record (what an integrator reads)."""
    found = []
    for resource_type in SUPPORTED:
        declared = {parameter.name for parameter in SEARCHES[resource_type].parameters}
        query = {"patient": str(patient_id)} if "patient" in declared else {}
        response = client.get(resource_type, query | {"_count": "50"})
        assert response.status_code == 200, (resource_type, response.json())
        found += [entry["resource"] for entry in response.json().get("entry", [])]
    types = {resource["resourceType"] for resource in found}
    assert set(SUPPORTED) <= types, f"no sample of {sorted(set(SUPPORTED) - types)}"
    return found


def _strings(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, value) of every string in a resource."""
    if isinstance(node, str):
        yield key, node
    elif isinstance(node, dict):
        for name, value in node.items():
            yield from _strings(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, key)


def _extension_urls(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for name, value in node.items():
            if name in ("extension", "modifierExtension"):
                found |= {ext["url"] for ext in value if "://" in ext.get("url", "")}
            found |= _extension_urls(value)
    elif isinstance(node, list):
        for value in node:
            found |= _extension_urls(value)
    return found


def _careloop_urls(resources: list[dict[str, Any]], base: str) -> set[str]:
    return {
        value.partition("|")[0]
        for resource in resources
        for key, value in _strings(resource)
        if key != "div" and value.startswith(f"{base}/")
    }


def _resolve(client: Any, url: str, base: str) -> dict[str, Any]:
    """GET what a canonical URL names on this server: <base>/<Type>/<id> → /fhir/r4/<Type>/<id>
    (a plain read, as a client following the canonical does: also audit_c, whose id is audit-c)."""
    resource_type, _, resource_id = url.removeprefix(f"{base}/").partition("/")
    response = client.get(f"{resource_type}/{resource_id}")
    assert response.status_code == 200, f"{url} does not resolve ({response.status_code})"
    return dict(response.json())


def _check_every_url_resolves(client: Any, anonymous: Any, patient_id: uuid.UUID, base: str):
    sample = _sample(client, patient_id)
    everything = json.dumps(sample)
    for other in {DEFAULT_BASE, NEW_BASE} - {base}:
        assert other not in everything, f"{other} emitted while the base is {base}"
    extensions = {url for url in _extension_urls(sample) if url.startswith(f"{base}/")}
    systems = {
        value
        for resource in sample
        for key, value in _strings(resource)
        if key == "system" and value.startswith(f"{base}/CodeSystem/")
    }
    assert f"{base}/StructureDefinition/clinician-review" in extensions
    assert len(systems) >= 8, systems  # the fixtures use most of Careloop's code systems
    urls = _careloop_urls(sample, base)
    assert extensions | systems <= urls
    assert {f"{base}/{path}" for path in UNDERSCORED_QUESTIONNAIRES} <= urls
    identifier_systems = {url for url in urls if url.startswith(f"{base}/NamingSystem/")}
    assert len(identifier_systems) >= 2, identifier_systems  # audit objects, consent receipts
    resolved = 0
    for url in sorted(urls):
        found = _resolve(anonymous if "/Questionnaire/" not in url else client, url, base)
        if url in identifier_systems:  # R4 NamingSystem has no url: its uniqueId names it
            assert url in {u["value"] for u in found["uniqueId"] if u["type"] == "uri"}, found
        else:
            assert found["url"] == url, (url, found.get("url"))
        expected = "StructureDefinition" if url in extensions else url.split("/")[-2]
        expected = "NamingSystem" if url in identifier_systems else expected
        assert found["resourceType"] == expected, (url, found["resourceType"])
        assert_valid_fhir(found)
        resolved += 1
    print(f"{base}: {len(urls)} Careloop URLs, {resolved} resolved, {len(extensions)} extensions")
    _check_codes_are_defined(anonymous, sample, base)
    return sample


def _codings(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("system"), str) and "code" in node:
            yield node
        for value in node.values():
            yield from _codings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _codings(value)


def _check_codes_are_defined(anonymous: Any, sample: list[dict[str, Any]], base: str) -> None:
    """Each Careloop code sent is in its CodeSystem, with the display the CodeSystem gives
    (what a validator checks). The output-origin tag of an AI model names the model in its
    display: not in the sample (no model output in the fixtures)."""
    concepts: dict[str, dict[str, str]] = {}
    for coding in _codings(sample):
        system = coding["system"]
        if not system.startswith(f"{base}/CodeSystem/"):
            continue
        if system not in concepts:
            found = anonymous.get(f"CodeSystem/{system.rsplit('/', 1)[1]}").json()
            concepts[system] = {c["code"]: c.get("display", "") for c in found["concept"]}
        assert coding["code"] in concepts[system], (system, coding["code"])
        if "display" in coding:
            assert coding["display"] == concepts[system][coding["code"]], (system, coding)


def test_every_extension_and_code_system_emitted_resolves(fhir, ben, populated, anonymous_fhir):
    _check_every_url_resolves(fhir(ben), anonymous_fhir, populated.id, DEFAULT_BASE)


@override_settings(CARELOOP_FHIR_CANONICAL_BASE=NEW_BASE)
def test_a_configured_base_changes_every_url_and_each_still_resolves(
    fhir, ben, populated, anonymous_fhir
):
    _check_every_url_resolves(fhir(ben), anonymous_fhir, populated.id, NEW_BASE)
    statement = anonymous_fhir.get("metadata").json()
    listed = {entry["type"] for entry in statement["rest"][0]["resource"]}
    assert set(CONFORMANCE) <= listed


@override_settings(CARELOOP_FHIR_CANONICAL_BASE=NEW_BASE)
def test_searches_understand_the_configured_base(fhir, ben, populated):
    client = fhir(ben)
    bundle = client.get("Questionnaire", {"url": f"{NEW_BASE}/Questionnaire/phq9"}).json()
    assert [e["resource"]["id"] for e in bundle["entry"]] == ["phq9"]
    risk = client.get("RiskAssessment", {"patient": str(populated.id)}).json()["entry"][0]
    coding = risk["resource"]["method"]["coding"][0]
    assert coding["system"].startswith(NEW_BASE)
    found = client.get(
        "RiskAssessment",
        {"patient": str(populated.id), "method": f"{coding['system']}|{coding['code']}"},
    ).json()
    assert found["total"] >= 1


@pytest.mark.parametrize("questionnaire", [DEFAULT_BASE, NEW_BASE])
@override_settings(CARELOOP_FHIR_CANONICAL_BASE=NEW_BASE)
def test_a_response_naming_either_canonical_files(fhir, ada, ada_patient, questionnaire):
    body = phq9_response(ada_patient.id, [1, 0, 0, 0, 0, 0, 0, 0, 0])
    body["questionnaire"] = f"{questionnaire}/Questionnaire/phq9|1.0.0"
    response = fhir(ada).post("QuestionnaireResponse", body)
    assert response.status_code == 201, response.json()
    assert response.json()["questionnaire"] == f"{NEW_BASE}/Questionnaire/phq9|1.0.0"


def test_a_response_naming_the_placeholder_canonical_files_by_default(fhir, ada, ada_patient):
    body = phq9_response(ada_patient.id, [1, 0, 0, 0, 0, 0, 0, 0, 0])
    assert body["questionnaire"].startswith(DEFAULT_BASE)
    assert fhir(ada).post("QuestionnaireResponse", body).status_code == 201


def _canonical(resource: dict[str, Any]) -> str:
    """Its url; a NamingSystem (no url in R4) is named by its uri uniqueId."""
    if resource["resourceType"] == "NamingSystem":
        return str(next(u["value"] for u in resource["uniqueId"] if u["type"] == "uri"))
    return str(resource["url"])


@pytest.mark.parametrize("resource_type", CONFORMANCE)
def test_conformance_resources_are_listed_read_and_valid(anonymous_fhir, resource_type):
    bundle = anonymous_fhir.get(resource_type).json()
    assert bundle["total"] == len(bundle["entry"]) >= 1
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert_valid_fhir(resource, resource_type=resource_type)
        read = anonymous_fhir.get(f"{resource_type}/{resource['id']}")
        assert read.json() == resource
        by_url = anonymous_fhir.get(resource_type, {"url": _canonical(resource)}).json()
        assert [e["resource"]["id"] for e in by_url["entry"]] == [resource["id"]]
    assert anonymous_fhir.get(f"{resource_type}/no-such-thing").status_code == 404


def test_every_code_system_has_its_value_set(anonymous_fhir):
    systems = [e["resource"] for e in anonymous_fhir.get("CodeSystem").json()["entry"]]
    entries = anonymous_fhir.get("ValueSet").json()["entry"]
    sets = {e["resource"]["url"]: e["resource"] for e in entries}
    for system in systems:
        assert system["concept"], system["url"]
        value_set = sets[system["valueSet"]]
        assert value_set["compose"]["include"] == [{"system": system["url"]}]


@pytest.mark.parametrize("base", [DEFAULT_BASE, NEW_BASE])
def test_the_package_holds_every_conformance_resource(client, anonymous_fhir, base):
    with override_settings(CARELOOP_FHIR_CANONICAL_BASE=base):
        response = client.get("/fhir/r4/package.tgz")
        served = {
            (e["resource"]["resourceType"], e["resource"]["id"])
            for name in CONFORMANCE
            for e in anonymous_fhir.get(name).json()["entry"]
        }
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as archive:
        files = {
            member.name: json.loads(archive.extractfile(member).read())
            for member in archive.getmembers()
        }
    manifest = files.pop("package/package.json")
    index = files.pop("package/.index.json")
    assert manifest["canonical"] == base and manifest["fhirVersions"] == ["4.0.1"]
    assert {(r["resourceType"], r["id"]) for r in files.values()} == served
    assert len(index["files"]) == len(files)
    for resource in files.values():
        assert _canonical(resource).startswith(f"{base}/")
        assert_valid_fhir(resource)


def test_rebasing_moves_urls_and_leaves_free_text_alone():
    old, new = DEFAULT_BASE, NEW_BASE
    resource = {
        "system": f"{old}/CodeSystem/x",
        "questionnaire": f"{old}/Questionnaire/phq9|1.0.0",
        "other": "https://careloop.example/fhirish/y",
        "note": f"see {old}/CodeSystem/x",
        "quoted": f'"{old}/CodeSystem/x"',
    }
    moved = rebase(resource, old, new)
    assert moved["system"] == f"{new}/CodeSystem/x"
    assert moved["questionnaire"] == f"{new}/Questionnaire/phq9|1.0.0"
    assert moved["other"] == resource["other"]
    assert moved["note"] == resource["note"]
    text = rebase_json_text(json.dumps(resource), old, new)
    assert json.loads(text) == moved | {"quoted": resource["quoted"]}
    assert rebase(moved, new, old) == resource


def test_every_careloop_system_a_mapper_names_is_served(anonymous_fhir):
    """Also the systems the fixtures do not reach (e.g. an AI model's output origin)."""
    import importlib
    import pkgutil

    import careloop.fhir.mapping as mapping

    named = {
        value
        for info in pkgutil.iter_modules(mapping.__path__)
        for value in vars(importlib.import_module(f"{mapping.__name__}.{info.name}")).values()
        if isinstance(value, str)
        and value.startswith(
            tuple(
                f"{DEFAULT_BASE}/{name}/"
                for name in ("CodeSystem", "StructureDefinition", "NamingSystem")
            )
        )
    }
    served = {
        _canonical(entry["resource"])
        for name in ("StructureDefinition", "CodeSystem", "NamingSystem")
        for entry in anonymous_fhir.get(name).json()["entry"]
    }
    # OBJECT_SYSTEM is the prefix of the per-type audit-object systems (…/object/<Type>), which
    # test_every_audit_object_type_has_its_naming_system covers.
    named -= {f"{DEFAULT_BASE}/NamingSystem/object"}
    assert len(named) >= 16
    assert named <= served, sorted(named - served)


def test_every_audit_object_type_has_its_naming_system(anonymous_fhir):
    """Each object type the code audits (obj=("<Type>", …)) has its identifier system served,
    read at the system's own path (…/NamingSystem/object/<Type>) as a client following it does."""
    import re
    from pathlib import Path

    import careloop

    audited = {
        match
        for path in Path(careloop.__path__[0]).rglob("*.py")
        if "tests" not in path.parts
        for match in re.findall(r'obj=\("([A-Za-z]+)"', path.read_text(encoding="utf-8"))
    } - {"Patient"}  # sent as a reference to the Patient, not an identifier
    assert len(audited) >= 15, audited
    for object_type in sorted(audited):
        response = anonymous_fhir.get(f"NamingSystem/object/{object_type}")
        assert response.status_code == 200, object_type
        system = f"{DEFAULT_BASE}/NamingSystem/object/{object_type}"
        assert {"type": "uri", "value": system, "preferred": True} in response.json()["uniqueId"]
        assert response.json() == anonymous_fhir.get(f"NamingSystem/object-{object_type}").json()
    assert anonymous_fhir.get("NamingSystem/object/NoSuchThing").status_code == 404


@pytest.mark.parametrize("base", [DEFAULT_BASE, NEW_BASE])
def test_a_questionnaire_canonical_resolves_by_a_plain_read(fhir, ben, base):
    """The canonical names the instrument id (audit_c); the FHIR id is audit-c. GET of the
    canonical's path answers the resource; the canonical itself is unchanged."""
    with override_settings(CARELOOP_FHIR_CANONICAL_BASE=base):
        client = fhir(ben)
        for path in UNDERSCORED_QUESTIONNAIRES:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            resource = response.json()
            assert resource["url"] == f"{base}/{path}"
            assert resource["id"] == path.rsplit("/", 1)[1].replace("_", "-")
            assert resource == client.get(f"Questionnaire/{resource['id']}").json()
            assert_valid_fhir(resource)


def _careloop_like(value: str) -> bool:
    """A URL that names Careloop: under either base, or on any careloop.* domain."""
    return value.startswith((f"{DEFAULT_BASE}/", f"{NEW_BASE}/")) or bool(
        re.match(r"https?://[^/]*careloop\.", value)
    )


@pytest.mark.parametrize("base", [DEFAULT_BASE, NEW_BASE])
def test_the_patients_export_and_fhir_consents_follow_the_base_and_resolve(
    as_user, fhir, ada, ben, populated, anonymous_fhir, base
):
    """The patient's own export (page, API, CLI share export_patient) and the FHIR Consent
    bundle of her privacy choices: every Careloop URL starts with the configured base and
    resolves to a valid conformance resource; every Careloop code is in its CodeSystem."""
    client = as_user(ada)
    with override_settings(CARELOOP_FHIR_CANONICAL_BASE=base):
        page = json.loads(client.get("/me/data/export.json").content)
        api = client.get("/api/me/data/export").json()
        consents = client.get("/api/me/consents/fhir").json()
        resources = [
            entry["resource"] for bundle in (page, api, consents) for entry in bundle["entry"]
        ]
        assert {r["resourceType"] for r in resources} >= {"Consent", "Patient", "Observation"}
        strays = {
            value
            for resource in resources
            for key, value in _strings(resource)
            if key != "div" and _careloop_like(value) and not value.startswith(f"{base}/")
        }
        assert not strays, strays
        urls = _careloop_urls(resources, base)
        extensions = {url for url in _extension_urls(resources) if url.startswith(f"{base}/")}
        assert f"{base}/CodeSystem/patient-record" in urls
        assert f"{base}/CodeSystem/data-stream" in urls
        assert f"{base}/NamingSystem/consent-receipt" in urls
        assert f"{base}/StructureDefinition/username" in extensions
        for url in sorted(urls):
            found = _resolve(
                anonymous_fhir if "/Questionnaire/" not in url else fhir(ben), url, base
            )
            if "/NamingSystem/" in url:
                assert url in {u["value"] for u in found["uniqueId"]}, found
            else:
                assert found["url"] == url, (url, found.get("url"))
            expected = url.removeprefix(f"{base}/").split("/")[0]
            assert found["resourceType"] == expected, (url, found["resourceType"])
            assert_valid_fhir(found)
        _check_codes_are_defined(anonymous_fhir, resources, base)


def test_the_patient_record_code_system_lists_every_episode_ending_and_inbox_kind():
    from careloop.care.types import EpisodeEnding
    from careloop.fhir.mapping.patient_record import EPISODE_ENDINGS, INBOX_KINDS
    from careloop.safety.types import InboxKind

    assert set(EPISODE_ENDINGS) == {ending.value for ending in EpisodeEnding}
    assert set(INBOX_KINDS) == {kind.value for kind in InboxKind}
