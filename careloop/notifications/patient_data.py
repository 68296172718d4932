"""Notifications' patient data (registry: careloop.core.patient_data): reminders and messages
sent to the patient's login, and the browsers they allowed to show them."""

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
from careloop.notifications.models import Notification, PushSubscription

if TYPE_CHECKING:
    from careloop.accounts.models import User


def _notifications(scope: PatientScope) -> Iterator[Notification]:
    if scope.user is None:
        return iter(())
    rows = Notification.objects.filter(recipient=scope.user).order_by("created_at")
    return rows.iterator(EXPORT_CHUNK)


def _push(scope: PatientScope) -> Iterator[PushSubscription]:
    if scope.user is None:
        return iter(())
    return iter(PushSubscription.objects.filter(user=scope.user).order_by("created_at"))


register(
    PatientData(
        Notification,
        rows=_notifications,
        erase=lambda s: delete_rows(Notification.objects.filter(recipient=s.user)) if s.user else 0,
    ),
    PatientData(
        PushSubscription,
        rows=_push,
        erase=lambda s: delete_rows(PushSubscription.objects.filter(user=s.user)) if s.user else 0,
    ),
)


def notifications_newest_first(user: User) -> QuerySet[Notification]:
    """What was sent to the patient's own login, for their own 'everything about me' page."""
    return Notification.objects.filter(recipient=user).order_by("-created_at")
