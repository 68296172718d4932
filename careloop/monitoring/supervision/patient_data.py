"""Supervision's patient data (registry: careloop.core.patient_data): the case reviews (notes
and sign-offs) of the patient's care; exported to the patient, erased with the rest of their
care record."""

from __future__ import annotations

from collections.abc import Iterator

from careloop.core.patient_data import (
    EXPORT_CHUNK,
    PatientData,
    PatientScope,
    delete_rows,
    register,
)
from careloop.monitoring.supervision.models import CaseReview


def _reviews(scope: PatientScope) -> Iterator[CaseReview]:
    rows = CaseReview.objects.filter(patient=scope.patient).order_by("reviewed_at", "id")
    return rows.iterator(EXPORT_CHUNK)


def _erase_reviews(scope: PatientScope) -> int:
    return delete_rows(CaseReview.objects.filter(patient=scope.patient))


register(PatientData(CaseReview, rows=_reviews, erase=_erase_reviews, erase_first=True))
