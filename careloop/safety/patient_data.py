"""Safety's patient data (registry: careloop.core.patient_data): alerts about the patient and
every record of how each reached staff, and risk-review requests — all held under legal hold
by erasure; an alert pins the questionnaire that raised it (its evidence), and erasure waits
while any alert is open. The escalation policy, rota and inbox counters name staff only."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Max, QuerySet

from careloop.core.patient_data import EXPORT_CHUNK, PatientData, PatientScope, register
from careloop.safety.models import (
    Alert,
    AlertDelivery,
    EscalationPolicy,
    EscalationStep,
    EscalationTier,
    FallbackBanner,
    InboxEntry,
    OnCallShift,
    RecipientStream,
    ReviewItem,
)
from careloop.safety.types import AlertStatus

if TYPE_CHECKING:
    from careloop.care.models import Patient


def _alerts(scope: PatientScope) -> QuerySet[Alert]:
    return Alert.objects.filter(patient=scope.patient)


def _pins(scope: PatientScope) -> Mapping[str, frozenset[uuid.UUID]]:
    """Questionnaires that raised a safety alert are part of that alert's record (evidence)."""
    ids = _alerts(scope).exclude(assessment=None).values_list("assessment_id", flat=True)
    return {"assessments.Assessment": frozenset(i for i in ids if i is not None)}


def _last_closed(scope: PatientScope) -> datetime | None:
    at: datetime | None = _alerts(scope).aggregate(at=Max("closed_at"))["at"]
    return at


def open_alert_count(patient: Patient) -> int:
    """Alerts about the patient not yet closed (erasure waits for them)."""
    return Alert.objects.filter(patient=patient).exclude(status=AlertStatus.CLOSED).count()


def _refusal(scope: PatientScope) -> str:
    if (still_open := open_alert_count(scope.patient)) > 0:
        return f"{still_open} safety alert(s) about this patient are still open: close them first"
    return ""


def _steps(scope: PatientScope) -> QuerySet[EscalationStep]:
    return EscalationStep.objects.filter(alert__patient=scope.patient)


def _deliveries(scope: PatientScope) -> QuerySet[AlertDelivery]:
    return AlertDelivery.objects.filter(alert__patient=scope.patient)


def _inbox(scope: PatientScope) -> QuerySet[InboxEntry]:
    return InboxEntry.objects.filter(alert__patient=scope.patient)


def _banners(scope: PatientScope) -> QuerySet[FallbackBanner]:
    return FallbackBanner.objects.filter(alert__patient=scope.patient)


def _reviews(scope: PatientScope) -> QuerySet[ReviewItem]:
    return ReviewItem.objects.filter(patient=scope.patient)


register(
    PatientData(
        Alert,
        rows=lambda s: _alerts(s).order_by("raised_at").iterator(EXPORT_CHUNK),
        held=lambda s: _alerts(s).count(),
        held_since=_last_closed,
        pins=_pins,
        refuse_erasure=_refusal,
    ),
    PatientData(
        EscalationStep,
        rows=lambda s: _steps(s).order_by("fired_at").iterator(EXPORT_CHUNK),
        held=lambda s: _steps(s).count(),
    ),
    PatientData(
        AlertDelivery,
        rows=lambda s: _deliveries(s).order_by("created_at").iterator(EXPORT_CHUNK),
        held=lambda s: _deliveries(s).count(),
    ),
    PatientData(
        InboxEntry,
        rows=lambda s: _inbox(s).order_by("created_at").iterator(EXPORT_CHUNK),
        held=lambda s: _inbox(s).count(),
    ),
    PatientData(
        FallbackBanner,
        rows=lambda s: iter(_banners(s).order_by("raised_at")),
        held=lambda s: _banners(s).count(),
    ),
    PatientData(
        ReviewItem,
        rows=lambda s: _reviews(s).order_by("created_at").iterator(EXPORT_CHUNK),
        held=lambda s: _reviews(s).count(),
    ),
    *(
        PatientData(model, staff_only=True)
        for model in (EscalationPolicy, EscalationTier, OnCallShift, RecipientStream)
    ),
)


def alerts_newest_first(patient: Patient) -> QuerySet[Alert]:
    """Alerts about the patient, for their own 'everything about me' page."""
    return Alert.objects.filter(patient=patient).order_by("-raised_at")
