"""Import FHIR transaction bundles into one service: one database transaction per bundle.

A bundle is structurally validated (fhir.resources R4B), read into a plan (`bundles`), checked
for unresolved conditional references, and then filed: support identities, patients (through
`care.services.register_patient`) and screening totals (through
`assessments.services.record_imported_total`). Any error rolls the whole bundle back.
Re-importing a bundle files nothing twice (source identities are unique per service).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from careloop.assessments.services import record_imported_total
from careloop.care.selectors import patient_in_service_for_system
from careloop.care.services import ensure_care_team, register_patient
from careloop.care.types import Gender
from careloop.core import clock
from careloop.core.errors import DomainError
from careloop.core.services import ensure_service
from careloop.fhir.importer.bundles import (
    TEEN_PHQ9_TOTAL,
    BundlePlan,
    BundleRejected,
    ScreeningTotal,
    SourceIdentity,
    SourcePatient,
    read_bundle,
)
from careloop.fhir.mapping.operation_outcome import fhir_issue
from careloop.fhir.models import ImportedResource

if TYPE_CHECKING:
    from careloop.care.models import CareTeam, Patient

DEFAULT_TEAM_NAME = "FHIR import"
TEEN_SKIP_REASON = (
    "PHQ-9 modified for teens (LOINC 89204-2) is a different instrument that Careloop's "
    "library does not define; filing it as an adult PHQ-9 would mislabel it"
)


@dataclass
class ImportReport:
    source_bundle: str
    patients_created: int = 0
    patients_existing: int = 0
    support_identities: int = 0
    totals_imported: Counter[str] = field(default_factory=Counter)
    totals_already_imported: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)


def ensure_import_target(service_slug: str, team_name: str = DEFAULT_TEAM_NAME) -> CareTeam:
    """The service (created if missing) and its care team for imported patients."""
    service = ensure_service(service_slug, name=service_slug.replace("-", " ").title())
    return ensure_care_team(service.id, team_name)


def validate_structure(data: Any) -> None:
    """Parse with fhir.resources R4B; raise BundleRejected listing the first problems.

    Whatever the file holds, the outcome is a BundleRejected with a readable reason, never
    another exception: the R4B models answer some shapes (an entry whose resourceType R4B does
    not know, a bundle that is not an object) with KeyError, TypeError or ValueError of their
    own, which used to reach the command line as a traceback.
    """
    if not isinstance(data, dict):
        raise BundleRejected([f"not a FHIR Bundle: the file holds a JSON {_json_kind(data)}"])
    if data.get("resourceType") != "Bundle":
        raise BundleRejected([f"not a FHIR Bundle: resourceType is {data.get('resourceType')!r}"])
    unknown = _unknown_resource_types(data.get("entry"))
    if unknown:
        raise BundleRejected(unknown)
    try:
        Bundle.model_validate(data)
    except ValidationError as error:
        issues = [
            f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()[:20]
        ]
        raise BundleRejected(issues) from None
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        reason = f"not a valid FHIR R4 Bundle ({type(error).__name__}: {error})"
        raise BundleRejected([reason]) from None


def _json_kind(data: object) -> str:
    kinds = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if data is None else kinds.get(type(data), type(data).__name__)


def _is_r4_resource_type(name: str) -> bool:
    try:
        model = get_fhir_model_class(name)
    except ValueError:
        return False
    return issubclass(model, Resource)


def _unknown_resource_types(entries: object) -> list[str]:
    """Entries whose resource is missing a resourceType or names one R4B does not define."""
    if not isinstance(entries, list):
        return [] if entries is None else ["Bundle.entry must be an array"]
    issues = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue  # the R4B model names what is wrong with the entry itself
        name = resource.get("resourceType")
        if not isinstance(name, str) or not _is_r4_resource_type(name):
            issues.append(f"entry[{index}].resource: unknown resourceType {name!r}")
    return issues[:20]


def import_bundle(data: Any, *, team: CareTeam, source_bundle: str) -> ImportReport:
    """Validate, plan and file one bundle atomically; raise BundleRejected on any error."""
    validate_structure(data)
    plan = read_bundle(data)
    report = ImportReport(source_bundle=source_bundle)
    try:
        with transaction.atomic():
            _file_plan(plan, team, report)
    except DomainError as error:
        raise BundleRejected([error.message]) from None
    return report


def _file_plan(plan: BundlePlan, team: CareTeam, report: ImportReport) -> None:
    for identity in plan.support:
        _, created = _remember(team.service_id, identity, report.source_bundle)
        report.support_identities += created
    _check_conditional_references(plan, team.service_id)
    patients = {source.full_url: _patient_for(source, team, report) for source in plan.patients}
    for screening in plan.screenings:
        _file_screening(screening, patients[screening.patient_full_url], report)


def _remember(
    service_id: uuid.UUID,
    identity: SourceIdentity,
    source_bundle: str,
    local: tuple[str, uuid.UUID] | None = None,
) -> tuple[ImportedResource, bool]:
    local_type, local_id = local if local is not None else ("", None)
    return ImportedResource.objects.get_or_create(
        service_id=service_id,
        resource_type=identity.resource_type,
        source_system=identity.system,
        source_value=identity.value,
        defaults={
            "local_type": local_type,
            "local_id": local_id,
            "source_bundle": source_bundle,
            "imported_at": clock.now(),
        },
    )


def _check_conditional_references(plan: BundlePlan, service_id: uuid.UUID) -> None:
    known = {
        SourceIdentity(row.resource_type, row.source_system, row.source_value)
        for row in ImportedResource.objects.filter(
            service_id=service_id,
            resource_type__in={identity.resource_type for identity in plan.conditional_references},
        )
    }
    missing = sorted(i.conditional_reference for i in plan.conditional_references - known)
    if missing:
        raise BundleRejected(
            [f"unresolved conditional reference {ref} (import the support bundles first)"
             for ref in missing[:20]]
        )  # fmt: skip


def _patient_for(source: SourcePatient, team: CareTeam, report: ImportReport) -> Patient:
    row = ImportedResource.objects.filter(
        service_id=team.service_id,
        resource_type="Patient",
        source_system=source.identity.system,
        source_value=source.identity.value,
    ).first()
    if row is not None and row.local_id is not None:
        report.patients_existing += 1
        return patient_in_service_for_system(team.service_id, row.local_id)
    patient = register_patient(
        actor=None,
        care_team=team,
        display_name=source.display_name,
        birth_year=source.birth_year,
        gender=Gender(source.gender),
        source=f"fhir-import:{report.source_bundle}",
    )
    _remember(team.service_id, source.identity, report.source_bundle, ("Patient", patient.id))
    report.patients_created += 1
    return patient


def _file_screening(screening: ScreeningTotal, patient: Patient, report: ImportReport) -> None:
    instrument_id = screening.instrument_id
    if instrument_id is None:
        reason = "phq9_teen" if screening.loinc == TEEN_PHQ9_TOTAL else screening.loinc
        report.skipped[reason] += 1
        return
    try:
        assessment, created = record_imported_total(
            patient,
            actor=None,
            instrument_id=instrument_id,
            total=screening.total,
            completed_at=screening.effective,
            client_id=uuid.uuid5(uuid.NAMESPACE_URL, screening.full_url),
            provenance={
                "source_bundle": report.source_bundle,
                "source_observation": f"Observation/{screening.resource_id}",
            },
        )
    except DomainError as error:
        # The Observation's own element names, not the assessment's (operation_outcome table).
        diagnostics, _ = fhir_issue("Observation", error.message)
        raise BundleRejected([f"Observation/{screening.resource_id}: {diagnostics}"]) from None
    _remember(
        patient.service_id, screening.identity, report.source_bundle, ("Assessment", assessment.id)
    )
    (report.totals_imported if created else report.totals_already_imported)[instrument_id] += 1
