"""The alert and its lifecycle: an explicit state machine, every transition a service call."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from careloop.assessments.models import Assessment
from careloop.care.models import Patient
from careloop.core.fields import EncryptedJSONField, EncryptedTextField
from careloop.core.models import TenantModel
from careloop.safety.types import SEVERITY_CHOICES, AlertOutcome, AlertSource, AlertStatus

OPEN_STATUSES = (AlertStatus.RAISED, AlertStatus.NOTIFIED)

# The only moves an alert can make. An alert may be acknowledged before the dispatcher has told
# anyone (a clinician saw it in the list first); nothing ever moves backwards.
TRANSITIONS: dict[str, frozenset[str]] = {
    AlertStatus.RAISED: frozenset({AlertStatus.NOTIFIED, AlertStatus.ACKNOWLEDGED}),
    AlertStatus.NOTIFIED: frozenset({AlertStatus.ACKNOWLEDGED}),
    AlertStatus.ACKNOWLEDGED: frozenset({AlertStatus.ACTIONED}),
    AlertStatus.ACTIONED: frozenset({AlertStatus.CLOSED}),
    AlertStatus.CLOSED: frozenset(),
}


class Alert(TenantModel):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alerts")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    source = models.CharField(
        max_length=20, choices=AlertSource.choices, default=AlertSource.INSTRUMENT_ITEM
    )
    # What raised it ("assessment:<id>:<rule>:<flag>", "text:<source>"): unique per service, so
    # one trigger can never have two alerts, however often its transaction is retried.
    trigger_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001  # NULL: seeded alerts have no trigger, and NULLs never clash in the unique index
    rule_id = models.CharField(max_length=60)
    rule_version = models.CharField(max_length=20)
    severity = models.CharField(max_length=10, choices=SEVERITY_CHOICES)
    # May quote the patient's words (crisis-text spans) or a clinician's reason: encrypted.
    evidence = EncryptedJSONField(default=dict)
    status = models.CharField(
        max_length=14, choices=AlertStatus.choices, default=AlertStatus.RAISED
    )
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actioned_at = models.DateTimeField(null=True, blank=True)
    actioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=24, choices=AlertOutcome.choices, blank=True)
    outcome_note = EncryptedTextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Escalation: the number of the last tier step fired, and when the next one is due (None once
    # acknowledged or once the chain is exhausted). The worker's timer is this column, not memory.
    escalation_step = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    fallback_fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["service", "trigger_key"], name="alert_trigger_unique"),
        )
        indexes = (
            models.Index(fields=["service", "status", "raised_at"]),
            models.Index(fields=["service", "patient", "-raised_at"]),
            models.Index(fields=["status", "next_escalation_at"], name="alert_escalation_due"),
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
