"""Monitoring's patient data (registry: careloop.core.patient_data): questionnaire schedules
(plans and their items), mood check-ins, reminder settings and follow-up offers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from careloop.core.patient_data import (
    EXPORT_CHUNK,
    PatientData,
    PatientScope,
    delete_rows,
    register,
)
from careloop.monitoring.models import (
    CheckIn,
    FollowUpOffer,
    MeasurementPlan,
    PlanItem,
    ReminderPreference,
)

if TYPE_CHECKING:
    from careloop.care.models import Patient


def _plans(scope: PatientScope) -> Iterator[MeasurementPlan]:
    """Each plan with its items prefetched (`plan.items.all()` reads no further)."""
    plans = MeasurementPlan.objects.filter(patient=scope.patient).prefetch_related("items")
    return iter(plans.order_by("created_at"))


def _checkins(scope: PatientScope) -> Iterator[CheckIn]:
    rows = CheckIn.objects.filter(patient=scope.patient).order_by("completed_at")
    return rows.iterator(EXPORT_CHUNK)


register(
    PatientData(
        MeasurementPlan,
        rows=_plans,
        erase=lambda s: delete_rows(MeasurementPlan.objects.filter(patient=s.patient)),
    ),
    PatientData(  # the activities of its plan's CarePlan
        PlanItem,
        part_of="monitoring.MeasurementPlan",
        erase=lambda s: delete_rows(PlanItem.objects.filter(plan__patient=s.patient)),
    ),
    PatientData(
        CheckIn,
        rows=_checkins,
        erase=lambda s: delete_rows(CheckIn.objects.filter(patient=s.patient)),
    ),
    PatientData(
        ReminderPreference,
        rows=lambda s: iter(ReminderPreference.objects.filter(patient=s.patient)),
        erase=lambda s: delete_rows(ReminderPreference.objects.filter(patient=s.patient)),
    ),
    PatientData(  # each offer and each completion is an audit event in the export
        FollowUpOffer,
        part_of="audit.AuditEvent",
        erase=lambda s: delete_rows(FollowUpOffer.objects.filter(patient=s.patient)),
    ),
)


def checkins_newest_first(patient: Patient) -> QuerySet[CheckIn]:
    """The patient's own check-ins, for their 'everything about me' page."""
    return CheckIn.objects.filter(patient=patient).order_by("-completed_at")


def plans_with_items(patient: Patient) -> QuerySet[MeasurementPlan]:
    """The patient's own questionnaire schedules, for their 'everything about me' page."""
    return MeasurementPlan.objects.filter(patient=patient).prefetch_related("items")
