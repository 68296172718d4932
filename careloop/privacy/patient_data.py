"""Privacy's patient data (registry: careloop.core.patient_data): the patient's consent
decisions (erased), emergency-access grants (held: accountability), and the staff-published
consent texts (no patient)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Max, QuerySet

from careloop.core.patient_data import (
    EXPORT_CHUNK,
    PatientData,
    PatientScope,
    delete_rows,
    register,
)
from careloop.privacy.models import BreakGlassGrant, ConsentDecision, ConsentDocument

if TYPE_CHECKING:
    from careloop.care.models import Patient


def _decisions(scope: PatientScope) -> Iterator[ConsentDecision]:
    rows = ConsentDecision.objects.filter(patient=scope.patient).order_by("decided_at", "id")
    return iter(list(rows))


def _grants(scope: PatientScope) -> QuerySet[BreakGlassGrant]:
    return BreakGlassGrant.objects.filter(patient=scope.patient)


def _last_grant(scope: PatientScope) -> datetime | None:
    at: datetime | None = _grants(scope).aggregate(at=Max("started_at"))["at"]
    return at


register(
    PatientData(
        ConsentDecision,
        rows=_decisions,
        erase=lambda s: delete_rows(ConsentDecision.objects.filter(patient=s.patient)),
    ),
    PatientData(
        BreakGlassGrant,
        rows=lambda s: _grants(s).order_by("started_at").iterator(EXPORT_CHUNK),
        held=lambda s: _grants(s).count(),
        held_since=_last_grant,
    ),
    PatientData(ConsentDocument, staff_only=True),
)


def consent_receipts(patient: Patient) -> list[str]:
    """The receipt codes of the patient's consent decisions (kept in the erasure's log entry)."""
    return sorted(ConsentDecision.objects.filter(patient=patient).values_list("receipt", flat=True))


def consent_decisions_newest_first(patient: Patient) -> QuerySet[ConsentDecision]:
    """The patient's own consent decisions, for their 'everything about me' page."""
    return ConsentDecision.objects.filter(patient=patient).order_by("-decided_at")
