"""Read a FHIR transaction/batch Bundle into an import plan (pure: no Django, no I/O).

The plan holds only what Careloop files: the identities of support resources (Organization,
Location, Practitioner, PractitionerRole) so conditional references can be resolved, the
patients, and the screening totals (PHQ-2, PHQ-9, GAD-7). Every problem found is collected, so a
rejected bundle is reported with all its issues at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from careloop.fhir.mapping.common import CLIENT_ID_SYSTEM, LOINC
from careloop.fhir.mapping.dates import InvalidDate, parse_instant

# LOINC total-score codes → Careloop instrument (codes as in the instrument definitions).
SCREENING_TOTALS = {"55758-7": "phq2", "44261-6": "phq9", "70274-6": "gad7"}
# PHQ-9 modified for teens (PHQ-A) total: a different instrument (adolescent wording, its own
# validation), which Careloop's library does not define; never filed as an adult PHQ-9.
TEEN_PHQ9_TOTAL = "89204-2"
SUPPORT_TYPES = frozenset({"Organization", "Location", "Practitioner", "PractitionerRole"})
FILED_OBSERVATION_STATUSES = frozenset({"final", "amended", "corrected"})
FHIR_GENDER_TO_CARELOOP = {
    "female": "female",
    "male": "male",
    "other": "non_binary",
    "unknown": "prefer_not_to_say",
}


class BundleRejected(Exception):
    """The bundle cannot be imported; `issues` lists every reason found."""

    def __init__(self, issues: list[str]) -> None:
        super().__init__("; ".join(issues))
        self.issues = issues


@dataclass(frozen=True)
class SourceIdentity:
    resource_type: str
    system: str
    value: str

    @property
    def conditional_reference(self) -> str:
        return f"{self.resource_type}?identifier={self.system}|{self.value}"


@dataclass(frozen=True)
class SourcePatient:
    full_url: str
    identity: SourceIdentity
    display_name: str
    birth_year: int | None
    gender: str


@dataclass(frozen=True)
class ScreeningTotal:
    full_url: str
    resource_id: str
    patient_full_url: str
    loinc: str
    total: int
    effective: datetime

    @property
    def instrument_id(self) -> str | None:
        return SCREENING_TOTALS.get(self.loinc)

    @property
    def identity(self) -> SourceIdentity:
        return SourceIdentity("Observation", CLIENT_ID_SYSTEM, self.full_url)


@dataclass
class BundlePlan:
    bundle_type: str
    entry_count: int = 0
    resource_counts: Counter[str] = field(default_factory=Counter)
    support: list[SourceIdentity] = field(default_factory=list)
    patients: list[SourcePatient] = field(default_factory=list)
    screenings: list[ScreeningTotal] = field(default_factory=list)
    conditional_references: set[SourceIdentity] = field(default_factory=set)

    @property
    def is_support_only(self) -> bool:
        return not self.patients


def read_bundle(data: object) -> BundlePlan:
    """Check the bundle's shape and references and collect what is to be imported."""
    if not isinstance(data, Mapping) or data.get("resourceType") != "Bundle":
        raise BundleRejected(["not a FHIR Bundle"])
    if data.get("type") not in ("transaction", "batch"):
        raise BundleRejected([f"Bundle.type {data.get('type')!r}: expected transaction or batch"])
    plan = BundlePlan(bundle_type=str(data["type"]))
    issues: list[str] = []
    entries = [entry for entry in data.get("entry") or [] if isinstance(entry, Mapping)]
    full_urls = {str(entry.get("fullUrl")) for entry in entries if entry.get("fullUrl")}
    issues += _duplicate_full_urls(entries)
    for index, entry in enumerate(entries):
        _read_entry(plan, entry, f"entry[{index}]", issues)
    issues += _reference_issues(data, full_urls, plan)
    patient_urls = {patient.full_url for patient in plan.patients}
    for screening in plan.screenings:
        if screening.patient_full_url not in patient_urls:
            issues.append(f"Observation/{screening.resource_id}: subject is not a Patient here")
    if issues:
        raise BundleRejected(issues)
    return plan


def _duplicate_full_urls(entries: list[Mapping[str, Any]]) -> list[str]:
    """Two entries with one fullUrl are refused, never merged: a reference to that fullUrl would
    be ambiguous, and filing either one would silently drop the other's data."""
    positions: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        if entry.get("fullUrl"):
            positions.setdefault(str(entry["fullUrl"]), []).append(index)
    return [
        f"fullUrl {url} is used by {len(where)} entries "
        f"({', '.join(f'entry[{i}]' for i in where)}); each entry needs its own"
        for url, where in positions.items()
        if len(where) > 1
    ]


def _read_entry(plan: BundlePlan, entry: Mapping[str, Any], where: str, issues: list[str]) -> None:
    resource = entry.get("resource")
    if not isinstance(resource, Mapping):
        issues.append(f"{where}: no resource")
        return
    resource_type = str(resource.get("resourceType"))
    plan.entry_count += 1
    plan.resource_counts[resource_type] += 1
    method = (entry.get("request") or {}).get("method")
    if method not in ("POST", "PUT"):
        issues.append(f"{where}: request.method {method!r} is not supported (POST or PUT)")
    if resource_type in SUPPORT_TYPES:
        plan.support += list(_identities(resource_type, resource))
    elif resource_type == "Patient":
        _read_patient(plan, entry, resource, where, issues)
    elif resource_type == "Observation":
        _read_observation(plan, entry, resource, where, issues)


def _identities(resource_type: str, resource: Mapping[str, Any]) -> Iterator[SourceIdentity]:
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") and identifier.get("value"):
            yield SourceIdentity(resource_type, str(identifier["system"]), str(identifier["value"]))


def _read_patient(
    plan: BundlePlan,
    entry: Mapping[str, Any],
    resource: Mapping[str, Any],
    where: str,
    issues: list[str],
) -> None:
    full_url = str(entry.get("fullUrl") or "")
    identity = next(_identities("Patient", resource), None)
    if identity is None:
        identity = SourceIdentity("Patient", CLIENT_ID_SYSTEM, full_url)
    if not full_url:
        issues.append(f"{where}: a Patient entry needs a fullUrl")
        return
    birth = str(resource.get("birthDate") or "")
    plan.patients.append(
        SourcePatient(
            full_url=full_url,
            identity=identity,
            display_name=_display_name(resource),
            birth_year=int(birth[:4]) if birth[:4].isdigit() else None,
            gender=FHIR_GENDER_TO_CARELOOP.get(str(resource.get("gender")), "prefer_not_to_say"),
        )
    )


def _display_name(resource: Mapping[str, Any]) -> str:
    names = resource.get("name") or []
    official = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    if official.get("text"):
        return str(official["text"])
    parts = [*official.get("given", []), official.get("family", "")]
    return " ".join(str(part) for part in parts if part) or "Unnamed patient"


def _loinc_codes(resource: Mapping[str, Any]) -> set[str]:
    codings = (resource.get("code") or {}).get("coding") or []
    return {str(c.get("code")) for c in codings if c.get("system") == LOINC}


def _read_observation(
    plan: BundlePlan,
    entry: Mapping[str, Any],
    resource: Mapping[str, Any],
    where: str,
    issues: list[str],
) -> None:
    codes = _loinc_codes(resource) & {*SCREENING_TOTALS, TEEN_PHQ9_TOTAL}
    if not codes or resource.get("status") not in FILED_OBSERVATION_STATUSES:
        return
    here = f"{where} Observation/{resource.get('id')}"
    value = (resource.get("valueQuantity") or {}).get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        issues.append(f"{here}: a screening total needs a whole-number valueQuantity")
        return
    try:
        effective = parse_instant(str(resource.get("effectiveDateTime")))
    except InvalidDate:
        issues.append(f"{here}: effectiveDateTime is missing or invalid")
        return
    plan.screenings.append(
        ScreeningTotal(
            full_url=str(entry.get("fullUrl") or f"Observation/{resource.get('id')}"),
            resource_id=str(resource.get("id")),
            patient_full_url=str((resource.get("subject") or {}).get("reference")),
            loinc=sorted(codes)[0],
            total=int(value),
            effective=effective,
        )
    )


def _references(node: object) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for element in node:
            yield from _references(element)


def _reference_issues(data: Mapping[str, Any], full_urls: set[str], plan: BundlePlan) -> list[str]:
    """urn: references must point inside the bundle; conditional ones must be identifier=s|v."""
    issues = []
    for ref in set(_references(data.get("entry") or [])):
        if ref.startswith("urn:") and ref not in full_urls:
            issues.append(f"reference {ref} points at no entry of this bundle")
        elif "?" in ref:
            identity = _conditional(ref)
            if identity is None:
                issues.append(f"conditional reference {ref!r}: only identifier=system|value")
            else:
                plan.conditional_references.add(identity)
    return sorted(issues)


def _conditional(ref: str) -> SourceIdentity | None:
    resource_type, _, query = ref.partition("?")
    name, _, token = query.partition("=")
    system, bar, value = token.partition("|")
    if name != "identifier" or not bar or not system or not value or "&" in token:
        return None
    return SourceIdentity(resource_type, system, value)
