"""Reads of alerts, limited to the patients the reader may see (care.selectors)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from careloop.accounts.models import User
from careloop.care.selectors import patients_visible_to
from careloop.core.errors import NotFound
from careloop.safety.models import Alert


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    """Alerts of the patients `user` may see, newest first."""
    if not user.works_in_care_team or user.service_id is None:
        return Alert.objects.none()
    return (
        Alert.objects.filter(service=user.service_id, patient__in=patients_visible_to(user))
        .select_related("patient", "assessment")
        .order_by("-raised_at")
    )


def alert_visible_to(user: User, alert_id: uuid.UUID) -> Alert:
    alert = alerts_visible_to(user).filter(id=alert_id).first()
    if alert is None:
        raise NotFound("alert")
    return alert
