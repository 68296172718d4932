from __future__ import annotations

from django.db import models

from careloop.assessments.models import Assessment
from careloop.care.models import Patient
from careloop.core.models import TenantModel


class AlertStatus(models.TextChoices):
    RAISED = "raised"  # written with the data that triggered it; nobody told yet
    NOTIFIED = "notified"  # the care team has been told (in-app and e-mail queued)
    ACKNOWLEDGED = "acknowledged"
    ACTIONED = "actioned"
    CLOSED = "closed"


OPEN_STATUSES = (AlertStatus.RAISED, AlertStatus.NOTIFIED)


class Severity(models.TextChoices):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class Alert(TenantModel):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alerts")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    rule_id = models.CharField(max_length=60)
    rule_version = models.CharField(max_length=20)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    evidence = models.JSONField(default=dict)
    status = models.CharField(
        max_length=14, choices=AlertStatus.choices, default=AlertStatus.RAISED
    )
    raised_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["service", "status", "raised_at"]),
            models.Index(fields=["service", "patient", "-raised_at"]),
        ]
