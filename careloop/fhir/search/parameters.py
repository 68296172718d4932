"""The search parameters of each resource type, declared once (pure data).

Everything else is built from this table: the CapabilityStatement's `searchParam` lists and the
parameters the parser accepts (careloop.fhir.rest.capability), and the parameters each search
endpoint documents in the OpenAPI document (careloop.fhir.search.api). Adding a parameter here
and filtering on it in the type's searcher is the whole change (docs/how-to.md).

Paging and format parameters (`_count`, `_offset`, `_summary`, ...) are common to every type,
and `_sort`/`_include` follow from the sort keys and includes in the capability table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchParameter:
    name: str  # as in the query string, e.g. "patient", "_lastUpdated"
    type: str  # the FHIR search parameter type: token, reference, date, string or uri
    description: str = ""  # shown in the OpenAPI document; empty: none


@dataclass(frozen=True)
class ResourceSearch:
    """One resource type's search: its own parameters (in the order the OpenAPI document lists
    them), the endpoint's summary, and a hint for `_sort` where one helps."""

    summary: str
    parameters: tuple[SearchParameter, ...]
    sort_hint: str = ""
    # The parameter combinations a search must name one of (else 400), when the type requires
    # any: the CapabilityStatement declares each with the search-parameter-combination
    # extension and the parameters' documentation; the searcher checks `names_required`.
    required: tuple[tuple[str, ...], ...] = ()
    required_note: str = ""  # who the requirement applies to, e.g. "staff"

    def types(self) -> dict[str, str]:
        """name → FHIR search parameter type, for the CapabilityStatement and the parser."""
        return {p.name: p.type for p in self.parameters}

    def names_required(self, given: Iterable[str]) -> bool:
        """Whether the parameters `given` (with a value) make up one required combination."""
        names = set(given)
        return not self.required or any(names >= set(c) for c in self.required)

    def requirement(self) -> str:
        """The requirement in words (empty when the type has none)."""
        if not self.required:
            return ""
        combinations = " or ".join(" and ".join(c) for c in self.required)
        who = f" for {self.required_note}" if self.required_note else ""
        return f"required{who}: a search names {combinations} (400 otherwise)"


_ID = SearchParameter("_id", "token")
_PATIENT = SearchParameter("patient", "reference")
_SUBJECT = SearchParameter("subject", "reference")
_LAST_UPDATED = SearchParameter("_lastUpdated", "date", "date with prefix, e.g. ge2026-01-01")
_DATE = "date with prefix"
_CODES_OR = "[system|]code; a comma means OR"

# In the order the endpoints are listed in the OpenAPI document.
SEARCHES: Mapping[str, ResourceSearch] = {
    "Patient": ResourceSearch(
        "Search Patient",
        (
            _ID,
            SearchParameter("name", "string"),
            SearchParameter("gender", "token"),
            _LAST_UPDATED,
        ),
    ),
    "Practitioner": ResourceSearch("Search Practitioner", (_ID,)),
    "CareTeam": ResourceSearch(
        "Search CareTeam", (_ID, _PATIENT, SearchParameter("status", "token"))
    ),
    "Questionnaire": ResourceSearch(
        "Search Questionnaire",
        (
            _ID,
            SearchParameter("url", "uri"),
            SearchParameter("name", "string"),
            SearchParameter("status", "token"),
            SearchParameter("code", "token"),
        ),
    ),
    "QuestionnaireResponse": ResourceSearch(
        "Search QuestionnaireResponse",
        (
            _ID,
            _PATIENT,
            _SUBJECT,
            SearchParameter("questionnaire", "reference"),
            SearchParameter("status", "token"),
            SearchParameter("authored", "date", _DATE),
            SearchParameter("identifier", "token"),
            _LAST_UPDATED,
        ),
    ),
    "Observation": ResourceSearch(
        "Search Observation",
        (
            _ID,
            _PATIENT,
            _SUBJECT,
            SearchParameter("code", "token", "[system|]code, e.g. http://loinc.org|44261-6"),
            SearchParameter("date", "date", "date with prefix, e.g. ge2026-01-01"),
            SearchParameter("status", "token"),
            SearchParameter("category", "token"),
            _LAST_UPDATED,
        ),
        sort_hint="e.g. -date",
    ),
    "Flag": ResourceSearch(
        "Search Flag (safety alerts)",
        (
            _ID,
            _PATIENT,
            _SUBJECT,
            SearchParameter("status", "token"),
            SearchParameter("date", "date", _DATE),
            _LAST_UPDATED,
        ),
        sort_hint="e.g. -date",
    ),
    "Provenance": ResourceSearch(
        "Search Provenance (imports)",
        (
            _ID,
            _PATIENT,
            SearchParameter("target", "reference", "Observation/<id>-total or Patient/<id>"),
        ),
    ),
    "CarePlan": ResourceSearch(
        "Search CarePlan",
        (
            _ID,
            _PATIENT,
            _SUBJECT,
            SearchParameter("status", "token", _CODES_OR),
            SearchParameter("category", "token", "measurement-plan or safety-plan"),
            _LAST_UPDATED,
        ),
    ),
    "RiskAssessment": ResourceSearch(
        "Search RiskAssessment (automated alerts)",
        (
            _ID,
            _PATIENT,
            _SUBJECT,
            SearchParameter("date", "date", _DATE),
            SearchParameter("method", "token", "rule id, e.g. instrument_risk_item"),
            SearchParameter("status", "token", _CODES_OR),
            _LAST_UPDATED,
        ),
        sort_hint="e.g. -date",
    ),
    "AuditEvent": ResourceSearch(
        "Search AuditEvent (one patient's audit trail)",
        (
            _ID,
            SearchParameter("patient", "reference", "required for staff: Patient/<id>"),
            SearchParameter("date", "date", _DATE),
            SearchParameter("agent", "reference", "Practitioner/<id> or Patient/<id>"),
            SearchParameter("action", "token", "C, R, U, D or E"),
            SearchParameter(
                "subtype",
                "token",
                "a Careloop audit action (e.g. patient.viewed), a restful-interaction code "
                "(read, search-type, create, update, delete…) or DCM|110127 (break-glass)",
            ),
            SearchParameter("type", "token", "rest (FHIR API) or a DICOM event type, e.g. 110110"),
        ),
        # A patient's own search covers their own trail; staff name the patient (or the event).
        required=(("patient",), ("_id",)),
        required_note="staff",
    ),
    "Consent": ResourceSearch(
        "Search Consent (decisions)",
        (
            _ID,
            _PATIENT,
            SearchParameter("status", "token", "active, rejected or inactive"),
            SearchParameter("purpose", "token", "v3-ActReason code, e.g. HRESCH"),
            SearchParameter("date", "date", _DATE),
            _LAST_UPDATED,
        ),
        sort_hint="e.g. -date",
    ),
    "Communication": ResourceSearch(
        "Search Communication",
        (
            _ID,
            _PATIENT,
            _SUBJECT,
            SearchParameter("sent", "date", _DATE),
            SearchParameter("sender", "reference", "Patient/<id> or Practitioner/<id>"),
            SearchParameter("status", "token", _CODES_OR),
            _LAST_UPDATED,
        ),
    ),
}
