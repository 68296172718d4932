"""Safety planning's patient data (registry: careloop.core.patient_data): the patient's safety
plan and every saved version of it (held under legal hold by erasure); crisis-line
confirmations name staff only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Max, QuerySet

from careloop.core.patient_data import PatientData, PatientScope, register
from careloop.safety.planning.models import CrisisResourceReview, SafetyPlan, SafetyPlanVersion

if TYPE_CHECKING:
    from careloop.care.models import Patient


def _versions(scope: PatientScope) -> QuerySet[SafetyPlanVersion]:
    return SafetyPlanVersion.objects.filter(plan__patient=scope.patient)


def _plan_as_versions(scope: PatientScope) -> Iterator[SafetyPlanVersion]:
    """The plan, exported as its saved versions (each a CarePlan version), oldest first."""
    return iter(_versions(scope).select_related("plan").order_by("number"))


def _last_version(scope: PatientScope) -> datetime | None:
    at: datetime | None = _versions(scope).aggregate(at=Max("created_at"))["at"]
    return at


register(
    PatientData(
        SafetyPlan,
        rows=_plan_as_versions,
        held=lambda s: SafetyPlan.objects.filter(patient=s.patient).count(),
    ),
    PatientData(
        SafetyPlanVersion,
        part_of="safety_planning.SafetyPlan",
        held=lambda s: _versions(s).count(),
        held_since=_last_version,
    ),
    PatientData(CrisisResourceReview, staff_only=True),
)


def latest_plan_version(patient: Patient) -> SafetyPlanVersion | None:
    """The newest saved version of the patient's own plan, for their 'everything about me'
    page."""
    return _versions_of(patient).order_by("-number").first()


def _versions_of(patient: Patient) -> QuerySet[SafetyPlanVersion]:
    return SafetyPlanVersion.objects.filter(plan__patient=patient)
