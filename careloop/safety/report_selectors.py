"""Alert response times for the service dashboard (careloop.analytics): a trusted system read
of when each alert was raised and acknowledged and how long its first tier had. Aggregated and
small groups suppressed before anyone sees a figure; no alert content or evidence is read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from careloop.safety.models import Alert, EscalationPolicy, EscalationStep
from careloop.safety.services.policies import DEFAULT_TIERS
from careloop.safety.types import AlertSource


@dataclass(frozen=True)
class AlertResponseRow:
    """One alert's response time for the service dashboard (no content, no evidence)."""

    patient_id: uuid.UUID
    raised_at: datetime
    acknowledged_at: datetime | None
    window_seconds: int  # how long the first tier had to acknowledge it


def alert_response_rows_for_system(
    service_id: uuid.UUID, *, raised_from: datetime | None = None, raised_to: datetime | None = None
) -> list[AlertResponseRow]:
    """System read for the service dashboard (aggregated and small groups suppressed before
    anyone sees it): each alert raised in [raised_from, raised_to) with when it was acknowledged
    and the first tier's window that applied. The window is the one copied onto the alert's
    first escalation step (as the policy was then); an alert with no step yet takes its team's
    current first tier, else the default. Alerts a clinician raised by hand are left out: they
    are raised by the person who already responded."""
    first_step = EscalationStep.objects.filter(alert=OuterRef("pk"), number=1).values(
        "acknowledge_within_seconds"
    )[:1]
    team_tier = (
        EscalationPolicy.objects.filter(care_team_id=OuterRef("patient__care_team_id"))
        .values("tiers__acknowledge_within_seconds")
        .order_by("tiers__position")[:1]
    )
    alerts = Alert.objects.filter(service_id=service_id).exclude(source=AlertSource.CLINICIAN)
    if raised_from is not None:
        alerts = alerts.filter(raised_at__gte=raised_from)
    if raised_to is not None:
        alerts = alerts.filter(raised_at__lt=raised_to)
    default_window = DEFAULT_TIERS[0][1]
    rows = alerts.annotate(
        window=Coalesce(
            Subquery(first_step, output_field=IntegerField()),
            Subquery(team_tier, output_field=IntegerField()),
            default_window,
        )
    ).values_list("patient_id", "raised_at", "acknowledged_at", "window")
    return [AlertResponseRow(*row) for row in rows.iterator(chunk_size=5_000)]
