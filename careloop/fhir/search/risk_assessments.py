"""Search over RiskAssessments: the automated (rule and text-detector) safety alerts.

Visible to the patient's care team only, like the Flags of the same alerts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Q
from django.db.models.functions import Coalesce

from careloop.fhir.mapping.common import SAFETY_RULE_SYSTEM
from careloop.fhir.mapping.patient import patient_resource
from careloop.fhir.mapping.risk_assessment import DETECTOR_SYSTEM, risk_assessment_resource
from careloop.fhir.search.common import Page, apply, date_q, ids_q, ordered, window
from careloop.fhir.search.params import SearchRequest, token
from careloop.safety.selectors import automated_alerts_visible_to
from careloop.safety.types import AlertSource

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.safety.models import Alert

_SORT = {"date": "raised_at", "_lastUpdated": "last_updated"}


def _method_q(request: SearchRequest) -> Q | None:
    """`method` = a rule id (safety-rule system) or the text detector (its own system)."""
    values = request.values("method")
    if not values:
        return None
    wanted = Q(pk__in=[])
    for value in values:
        parsed = token(value)
        if parsed.system in (None, SAFETY_RULE_SYSTEM):
            wanted |= Q(rule_id=parsed.code)
        if parsed.system in (None, DETECTOR_SYSTEM) and parsed.code == "crisis-text-detector":
            wanted |= Q(source=AlertSource.TEXT)
    return wanted


def _statuses_allow(request: SearchRequest) -> bool:
    statuses = request.values("status")
    return not statuses or "final" in statuses


def reader_may_see_evidence_text(user: User) -> bool:
    """The words behind a text alert are for the patient's care team only."""
    return user.works_in_care_team


def risk_assessment_page(user: User, request: SearchRequest, found: Sequence[Alert]) -> Page:
    include_text = reader_may_see_evidence_text(user)
    page = Page(
        matches=[risk_assessment_resource(a, include_text=include_text) for a in found],
        patient_ids={a.patient_id for a in found},
    )
    if {"RiskAssessment:subject", "RiskAssessment:patient"} & set(request.includes):
        patients = {alert.patient_id: alert.patient for alert in found}
        page.included = [patient_resource(patient) for patient in patients.values()]
    return page


def search_risk_assessments(user: User, request: SearchRequest) -> Page:
    rows = automated_alerts_visible_to(user).annotate(
        last_updated=Coalesce(
            "closed_at", "actioned_at", "acknowledged_at", "notified_at", "raised_at"
        )
    )
    rows = apply(
        rows,
        [
            ids_q(request, "_id", "id", "RiskAssessment"),
            ids_q(request, "patient", "patient_id", "Patient"),
            ids_q(request, "subject", "patient_id", "Patient"),
            _method_q(request),
            date_q(request, "date", "raised_at"),
            date_q(request, "_lastUpdated", "last_updated"),
            None if _statuses_allow(request) else Q(pk__in=[]),
        ],
    )
    found, total = window(ordered(rows, request, _SORT, ["id"]), request)
    page = risk_assessment_page(user, request, found)
    page.total = total
    return page
