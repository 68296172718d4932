"""Journal's patient data (registry: careloop.core.patient_data): the patient's journal."""

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
from careloop.journal.models import JournalEntry

if TYPE_CHECKING:
    from careloop.care.models import Patient


def _rows(scope: PatientScope) -> Iterator[JournalEntry]:
    rows = JournalEntry.objects.filter(patient=scope.patient).order_by("created_at")
    return rows.iterator(EXPORT_CHUNK)


register(
    PatientData(
        JournalEntry,
        rows=_rows,
        erase=lambda scope: delete_rows(JournalEntry.objects.filter(patient=scope.patient)),
    )
)


def entries_newest_first(patient: Patient) -> QuerySet[JournalEntry]:
    """Every entry of the patient's own journal, for their 'everything about me' page."""
    return JournalEntry.objects.filter(patient=patient).order_by("-created_at")
