"""The ai domain's patient data (registry: careloop.core.patient_data): the early-warning
estimates made about the patient, the suggestions shown to their clinicians with the decision
taken, and the patient's requests for a human review. Exported to the patient; erased with the
rest of their care record (the reviews go with their suggestion, the suggestions before the
estimates they cite)."""

from __future__ import annotations

from collections.abc import Iterator

from careloop.ai.models import (
    DriftCheck,
    ModelSwitch,
    ModelVersion,
    Prediction,
    ReviewTask,
    Suggestion,
)
from careloop.core.patient_data import (
    EXPORT_CHUNK,
    PatientData,
    PatientScope,
    delete_rows,
    register,
)


def _predictions(scope: PatientScope) -> Iterator[Prediction]:
    rows = Prediction.objects.filter(patient=scope.patient).select_related("model_version")
    return rows.order_by("made_at", "id").iterator(EXPORT_CHUNK)


def _suggestions(scope: PatientScope) -> Iterator[Suggestion]:
    rows = Suggestion.objects.filter(patient=scope.patient).select_related("model_version")
    return rows.order_by("created_at", "id").iterator(EXPORT_CHUNK)


def _reviews(scope: PatientScope) -> Iterator[ReviewTask]:
    rows = ReviewTask.objects.filter(patient=scope.patient)
    return rows.order_by("requested_at", "id").iterator(EXPORT_CHUNK)


def _erase_reviews(scope: PatientScope) -> int:
    return delete_rows(ReviewTask.objects.filter(patient=scope.patient))


def _erase_suggestions(scope: PatientScope) -> int:
    return delete_rows(Suggestion.objects.filter(patient=scope.patient))


def _erase_predictions(scope: PatientScope) -> int:
    return delete_rows(Prediction.objects.filter(patient=scope.patient))


register(
    PatientData(ReviewTask, rows=_reviews, erase=_erase_reviews, erase_first=True),
    PatientData(Suggestion, rows=_suggestions, erase=_erase_suggestions, erase_first=True),
    PatientData(Prediction, rows=_predictions, erase=_erase_predictions, erase_first=True),
    # staff records: who registered, switched on or off a model (no patient in them)
    PatientData(ModelVersion, staff_only=True),
    PatientData(ModelSwitch, staff_only=True),
    PatientData(DriftCheck, staff_only=True),
)
