"""Messaging's patient data (registry: careloop.core.patient_data): messages between the
patient and their care team."""

from __future__ import annotations

from collections.abc import Iterator

from careloop.core.patient_data import (
    EXPORT_CHUNK,
    PatientData,
    PatientScope,
    delete_rows,
    register,
)
from careloop.messaging.models import Message


def _rows(scope: PatientScope) -> Iterator[Message]:
    return Message.objects.filter(patient=scope.patient).order_by("sent_at").iterator(EXPORT_CHUNK)


register(
    PatientData(
        Message,
        rows=_rows,
        erase=lambda scope: delete_rows(Message.objects.filter(patient=scope.patient)),
    )
)
