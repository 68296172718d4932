"""Careloop's conformance resources, as data: a StructureDefinition for each Careloop extension,
a CodeSystem and a ValueSet (all its codes) for each Careloop code system, a NamingSystem for each
Careloop identifier system, and the FHIR package (package.tgz) that holds them. Written under
DEFAULT_BASE like every mapper's output; the edge moves them to the configured canonical base.
No Django here.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass

from careloop.audit.types import AuditAction
from careloop.fhir.mapping.audit_event import ACTION_SYSTEM, OBJECT_SYSTEM
from careloop.fhir.mapping.care_plan import (
    CATEGORY_SYSTEM,
    CHECKIN,
    MEASURE_SYSTEM,
    MEASUREMENT_PLAN,
    SAFETY_PLAN,
    SAFETY_PLAN_SECTION_SYSTEM,
)
from careloop.fhir.mapping.common import (
    CARE_TEAM_ROLE_SYSTEM,
    CARELOOP_FHIR,
    INSTRUMENT_ITEM_SYSTEM,
    INSTRUMENT_TOTAL_SYSTEM,
    SAFETY_RULE_SYSTEM,
    Resource,
)
from careloop.fhir.mapping.consent import (
    CONSENT_DOCUMENT_SYSTEM,
    DATA_STREAM_SYSTEM,
    RECEIPT_SYSTEM,
)
from careloop.fhir.mapping.patient_record import (
    EXTENSION_BASE,
    RECORD_CONCEPTS,
    RECORD_EXTENSIONS,
    RECORD_SYSTEM,
)
from careloop.fhir.mapping.risk_assessment import (
    DETECTOR_SYSTEM,
    OUTPUT_ORIGIN_SYSTEM,
    REVIEW_EXTENSION,
    REVIEW_SYSTEM,
)
from careloop.instruments.library import InstrumentDefinition
from careloop.privacy.policy import DataStream
from careloop.safety.planning.plan_content import SECTIONS
from careloop.safety.rules.registry import RULEBOOK

FHIR_VERSION = "4.0.1"
PUBLISHER = "Careloop"
INSTRUMENT_ANSWER_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/instrument-answer"
CONFORMANCE_TYPES = ("StructureDefinition", "CodeSystem", "ValueSet", "NamingSystem")
PACKAGE_NAME = "careloop.fhir"
# The version of the published conformance resources and their package: raise it on change.
CONFORMANCE_VERSION = "0.1.0"
# NamingSystem.date (R4 NamingSystem has no version): when its definitions last changed.
CONFORMANCE_DATE = "2026-12-07"
# The object types the audit log names (AuditEvent.entity.what.identifier.system is
# <OBJECT_SYSTEM>/<type>); "Patient" is sent as a reference instead. A test keeps this complete.
AUDIT_OBJECT_TYPES = (
    "Alert",
    "Assessment",
    "BreakGlassGrant",
    "CareTeam",
    "CaseReview",
    "CheckIn",
    "ConsentDecision",
    "ConsentDocument",
    "CrisisResourceReview",
    "ExportJob",
    "FollowUpOffer",
    "JournalEntry",
    "MeasurementPlan",
    "Message",
    "MonitoringSettings",
    "PlanItem",
    "ReminderPreference",
    "Report",
    "ReviewItem",
    "SafetyPlanVersion",
    "SmartClient",
    "TreatmentEpisode",
    "User",
)

Concept = tuple[str, str]  # (code, display)


@dataclass(frozen=True)
class CodeSystemSpec:
    url: str
    title: str
    description: str
    concepts: tuple[Concept, ...]

    @property
    def id(self) -> str:
        return self.url.rsplit("/", 1)[1]


@dataclass(frozen=True)
class ExtensionSpec:
    url: str
    title: str
    description: str
    context: str  # the element path it may appear on
    value_system: str = ""  # the code system of its valueCoding (bound, required)
    value_type: str = "Coding"  # or a primitive (integer, string): no binding

    @property
    def id(self) -> str:
        return self.url.rsplit("/", 1)[1]


EXTENSIONS: tuple[ExtensionSpec, ...] = (
    ExtensionSpec(
        REVIEW_EXTENSION,
        "Clinician review",
        "Where the care team's review of this automated output stands (pending, "
        "acknowledged, confirmed, overridden as a false positive); it follows the alert.",
        "RiskAssessment",
        REVIEW_SYSTEM,
    ),
    *(
        ExtensionSpec(f"{EXTENSION_BASE}/{ext_id}", title, description, context, "", value_type)
        for ext_id, title, description, context, value_type in RECORD_EXTENSIONS
    ),
)


@dataclass(frozen=True)
class NamingSystemSpec:
    url: str  # the identifier system (NamingSystem.uniqueId, type uri)
    name: str
    description: str

    @property
    def id(self) -> str:
        """'…/NamingSystem/consent-receipt' → 'consent-receipt', '…/object/Alert' → 'object-Alert'
        (the read at the system's own path answers the same resource)."""
        return self.url.removeprefix(f"{CARELOOP_FHIR}/NamingSystem/").replace("/", "-")


def naming_systems() -> tuple[NamingSystemSpec, ...]:
    """Every identifier system Careloop sends (Identifier.system under the canonical base)."""
    return (
        NamingSystemSpec(
            RECEIPT_SYSTEM,
            "ConsentReceipt",
            "The receipt of a patient's consent decision (Consent.identifier).",
        ),
        NamingSystemSpec(
            CONSENT_DOCUMENT_SYSTEM,
            "ConsentDocument",
            "The consent text a decision answered, as <purpose>/<stream>/<document version> "
            "(Consent.sourceReference.identifier).",
        ),
        *(
            NamingSystemSpec(
                f"{OBJECT_SYSTEM}/{object_type}",
                f"AuditObject{object_type}",
                f"The id of a Careloop {object_type} an audit event names "
                "(AuditEvent.entity.what.identifier).",
            )
            for object_type in AUDIT_OBJECT_TYPES
        ),
    )


def naming_system_resource(spec: NamingSystemSpec, date: str) -> Resource:
    """An R4 NamingSystem (no url or version element in R4: its uniqueId names it)."""
    return {
        "resourceType": "NamingSystem",
        "id": spec.id,
        "name": spec.name,
        "status": "active",
        "kind": "identifier",
        "date": date,
        "publisher": PUBLISHER,
        "description": spec.description,
        "uniqueId": [{"type": "uri", "value": spec.url, "preferred": True}],
    }


def _unique(concepts: Sequence[Concept]) -> tuple[Concept, ...]:
    seen: dict[str, str] = {}
    for code, display in concepts:
        seen.setdefault(code, display)
    return tuple(seen.items())


def code_systems(
    instruments: Sequence[InstrumentDefinition], care_team_roles: Sequence[Concept]
) -> tuple[CodeSystemSpec, ...]:
    """Every Careloop code system, with all its codes (from the libraries that define them)."""
    # These resources are public: the item of an instrument whose library text is a label only
    # (licence terms unverified or restrictive) is shown by its number, not its label. Answers
    # keep the display the Observations and Questionnaires send (a validator compares them).
    answers = [
        (option.code, option.display)
        for definition in instruments
        for item in definition.items
        for option in item.options
        if option.system == INSTRUMENT_ANSWER_SYSTEM
    ]
    items = [
        (f"{d.id}/{i.link_id}", _shown(d, i.text, f"item {i.link_id}"))
        for d in instruments
        for i in d.items
    ]
    return (
        CodeSystemSpec(
            INSTRUMENT_TOTAL_SYSTEM,
            "Instrument totals",
            "The total score of an instrument, where LOINC has no verified code.",
            _unique([(d.id, f"{d.title} total score") for d in instruments]),
        ),
        CodeSystemSpec(
            INSTRUMENT_ITEM_SYSTEM,
            "Instrument items",
            "One item of an instrument (<instrument>/<linkId>), where LOINC has no verified code.",
            _unique(items),
        ),
        CodeSystemSpec(
            INSTRUMENT_ANSWER_SYSTEM,
            "Instrument answers",
            "An answer option of an instrument item, where LOINC has no verified answer code.",
            _unique(answers),
        ),
        CodeSystemSpec(
            SAFETY_RULE_SYSTEM,
            "Safety rules",
            "The versioned safety rule that raised an alert (the rule's version travels in "
            "Coding.version).",
            tuple((rule_id, rule.summary) for rule_id, rule in sorted(RULEBOOK.items())),
        ),
        CodeSystemSpec(
            DETECTOR_SYSTEM,
            "Crisis-text detector",
            "The crisis-language text detector (its version travels in Coding.version).",
            (("crisis-text-detector", "Crisis-language text detector"),),
        ),
        CodeSystemSpec(
            REVIEW_SYSTEM,
            "Clinician review status",
            "Where the care team's review of an automated output stands.",
            (
                ("pending", "Not yet reviewed"),
                ("acknowledged", "Acknowledged by the care team"),
                ("confirmed", "Confirmed by the care team"),
                ("overridden", "Overridden: closed as a false positive"),
            ),
        ),
        CodeSystemSpec(
            OUTPUT_ORIGIN_SYSTEM,
            "Output origin",
            "What produced an automated output.",
            (
                ("automated-rule", "A deterministic safety rule"),
                ("ai-model", "A statistical (AI) model"),
            ),
        ),
        CodeSystemSpec(
            CATEGORY_SYSTEM,
            "Care plan category",
            "The kinds of CarePlan Careloop serves.",
            ((MEASUREMENT_PLAN, "Measurement plan"), (SAFETY_PLAN, "Safety plan (Stanley-Brown)")),
        ),
        CodeSystemSpec(
            MEASURE_SYSTEM,
            "Measures",
            "What a measurement plan asks the patient to complete: a check-in or an instrument.",
            _unique([(CHECKIN, "Mood check-in"), *[(d.id, d.title) for d in instruments]]),
        ),
        CodeSystemSpec(
            SAFETY_PLAN_SECTION_SYSTEM,
            "Safety plan sections",
            "The sections of a Stanley-Brown safety plan as Careloop keeps it.",
            tuple((section.key, section.title) for section in SECTIONS),
        ),
        CodeSystemSpec(
            CARE_TEAM_ROLE_SYSTEM,
            "Care team roles",
            "A member's role in a care team.",
            _unique(care_team_roles),
        ),
        CodeSystemSpec(
            ACTION_SYSTEM,
            "Audit actions",
            "Every action Careloop writes to its audit log.",
            tuple((a.value, a.name.replace("_", " ").capitalize()) for a in AuditAction),
        ),
        CodeSystemSpec(
            DATA_STREAM_SYSTEM,
            "Data streams",
            "The parts of a record a patient can share or withhold separately.",
            tuple((stream.value, stream.name.capitalize()) for stream in DataStream),
        ),
        CodeSystemSpec(
            RECORD_SYSTEM,
            "Patient record",
            "What a part of the patient's own data export is (where FHIR has no code for it).",
            RECORD_CONCEPTS,
        ),
    )


def _shown(definition: InstrumentDefinition, wording: str, neutral: str) -> str:
    return f"{definition.title} {neutral}" if definition.text_is_label_only else wording


def _name(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in title.replace("-", " ").split())


def _header(resource_type: str, id_: str, url: str, version: str, title: str) -> Resource:
    """The elements every served conformance resource opens with."""
    return {
        "resourceType": resource_type,
        "id": id_,
        "url": url,
        "version": version,
        "name": _name(title),
        "title": title,
        "status": "active",
        "experimental": False,
        "publisher": PUBLISHER,
    }


def code_system_resource(spec: CodeSystemSpec, version: str) -> Resource:
    return {
        **_header("CodeSystem", spec.id, spec.url, version, spec.title),
        "description": spec.description,
        "caseSensitive": True,
        "valueSet": value_set_url(spec),
        "content": "complete",
        "count": len(spec.concepts),
        "concept": [
            {"code": code, "display": display} if display else {"code": code}
            for code, display in spec.concepts
        ],
    }


def value_set_url(spec: CodeSystemSpec) -> str:
    return f"{CARELOOP_FHIR}/ValueSet/{spec.id}"


def value_set_resource(spec: CodeSystemSpec, version: str) -> Resource:
    return {
        **_header("ValueSet", spec.id, value_set_url(spec), version, spec.title),
        "description": f"All codes of {spec.url}.",
        "compose": {"include": [{"system": spec.url}]},
    }


def extension_definition(spec: ExtensionSpec, value_set: str | None, version: str) -> Resource:
    """A simple (one value) extension; a valueCoding is bound (required) to `value_set`."""
    value: Resource = {"id": "Extension.value[x]", "path": "Extension.value[x]", "min": 1}
    value["type"] = [{"code": spec.value_type}]
    if value_set is not None:
        value["binding"] = {"strength": "required", "valueSet": value_set}
    return {
        **_header("StructureDefinition", spec.id, spec.url, version, spec.title),
        "description": spec.description,
        "fhirVersion": FHIR_VERSION,
        "kind": "complex-type",
        "abstract": False,
        "context": [{"type": "element", "expression": spec.context}],
        "type": "Extension",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {
            "element": [
                {
                    "id": "Extension",
                    "path": "Extension",
                    "short": spec.title,
                    "definition": spec.description,
                    "min": 0,
                    "max": "1",
                },
                {"id": "Extension.extension", "path": "Extension.extension", "max": "0"},
                {"id": "Extension.url", "path": "Extension.url", "fixedUri": spec.url},
                value,
            ]
        },
    }


def conformance_resources(
    instruments: Sequence[InstrumentDefinition], care_team_roles: Sequence[Concept], version: str
) -> list[Resource]:
    """Every conformance resource Careloop publishes (StructureDefinitions, CodeSystems,
    ValueSets, NamingSystems), in a stable order."""
    systems = code_systems(instruments, care_team_roles)
    by_url = {spec.url: spec for spec in systems}
    resources = [
        extension_definition(
            ext, value_set_url(by_url[ext.value_system]) if ext.value_system else None, version
        )
        for ext in EXTENSIONS
    ]
    resources += [code_system_resource(spec, version) for spec in systems]
    resources += [value_set_resource(spec, version) for spec in systems]
    resources += [naming_system_resource(spec, CONFORMANCE_DATE) for spec in naming_systems()]
    return resources


def package_manifest(canonical_base: str, version: str) -> Resource:
    """package/package.json of the NPM-style FHIR package validators load."""
    return {
        "name": PACKAGE_NAME,
        "version": version,
        "canonical": canonical_base,
        "fhirVersions": [FHIR_VERSION],
        "type": "fhir.ig",
        "title": "Careloop FHIR conformance resources",
        "description": (
            "Careloop's extensions (StructureDefinition), code systems, value sets and "
            "identifier systems (NamingSystem)."
        ),
        "author": PUBLISHER,
        "dependencies": {"hl7.fhir.r4.core": FHIR_VERSION},
    }


def package_tgz(manifest: Resource, resources: Sequence[Resource]) -> bytes:
    """A gzipped tar of package/package.json, package/.index.json and one file per resource."""
    files: dict[str, bytes] = {"package/package.json": _json_bytes(manifest)}
    index = []
    for resource in resources:
        filename = f"{resource['resourceType']}-{resource['id']}.json"
        files[f"package/{filename}"] = _json_bytes(resource)
        entry = {key: resource[key] for key in _INDEXED if key in resource}
        index.append({"filename": filename, **entry})
    files["package/.index.json"] = _json_bytes({"index-version": 1, "files": index})
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


_INDEXED = ("resourceType", "id", "url", "version", "kind", "type")


def _json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")
