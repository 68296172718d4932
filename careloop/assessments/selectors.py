"""Reads of assessments, always through a patient the reader may see (care.selectors)."""

from __future__ import annotations

from django.db.models import QuerySet

from careloop.assessments.models import Assessment
from careloop.care.models import Patient
from careloop.care.selectors import stream_visible
from careloop.privacy.policy import DataStream


def assessments_of(patient: Patient, *, instrument_id: str | None = None) -> QuerySet[Assessment]:
    """A visible patient's assessments, newest first. `patient` must come from a selector.

    None if the reader may not see questionnaires (the patient withdrew them from their care).
    """
    if not stream_visible(patient, DataStream.QUESTIONNAIRES):
        return Assessment.objects.none()
    rows = Assessment.objects.filter(service_id=patient.service_id, patient=patient)
    if instrument_id is not None:
        rows = rows.filter(instrument_id=instrument_id)
    return rows.order_by("-completed_at")
