"""Assessments' patient data (registry: careloop.core.patient_data): questionnaire answers and
scores. Erasure keeps the ones a held safety record pins as its evidence."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from careloop.assessments.models import Assessment
from careloop.core.patient_data import (
    EXPORT_CHUNK,
    PatientData,
    PatientScope,
    delete_rows,
    register,
)

if TYPE_CHECKING:
    from careloop.care.models import Patient

LABEL = "assessments.Assessment"


def _rows(scope: PatientScope) -> Iterator[Assessment]:
    rows = Assessment.objects.filter(patient=scope.patient).order_by("completed_at")
    return rows.iterator(EXPORT_CHUNK)


def erasable_assessments(scope: PatientScope) -> QuerySet[Assessment]:
    """The patient's questionnaires except those a held record keeps as evidence."""
    rows = Assessment.objects.filter(patient=scope.patient)
    return rows.exclude(id__in=scope.pinned_ids(LABEL))


def _held(scope: PatientScope) -> int:
    return Assessment.objects.filter(id__in=scope.pinned_ids(LABEL)).count()


register(
    PatientData(
        Assessment,
        rows=_rows,
        erase=lambda scope: delete_rows(erasable_assessments(scope)),
        held=_held,
    )
)


def assessment_ids_of(patient: Patient) -> QuerySet[Assessment, uuid.UUID]:
    """Ids of the patient's questionnaires (a subquery for records that point at them by id)."""
    return Assessment.objects.filter(patient=patient).values_list("id", flat=True)


def assessments_newest_first(patient: Patient) -> QuerySet[Assessment]:
    """The patient's own results, newest first, for their 'everything about me' page."""
    return Assessment.objects.filter(patient=patient).order_by("-completed_at")
