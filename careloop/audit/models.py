"""Append-only audit events. Rows are only ever inserted; no service updates or deletes them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    """The audit domain's own and the walking skeleton's actions.

    Other domains define their own action enums next to their services (e.g. safety's, the
    safety plan's, measurement plans'): audit records any dotted code and needs no list of them.
    """

    SIGNED_IN = "auth.signed_in"
    MFA_ENROLLED = "auth.mfa_enrolled"
    MFA_VERIFIED = "auth.mfa_verified"
    PATIENT_REGISTERED = "patient.registered"
    PATIENT_VIEWED = "patient.viewed"
    CASELOAD_VIEWED = "patient.listed_in_caseload"
    ASSESSMENTS_VIEWED = "assessment.history_viewed"
    ASSESSMENT_SUBMITTED = "assessment.submitted"
    ALERT_RAISED = "alert.raised"
    ALERT_NOTIFIED = "alert.notified"
    ALERTS_VIEWED = "alert.viewed"
    POPULATION_SEEDED = "service.population_seeded"
    REPORT_VIEWED = "service.report_viewed"


class Purpose(models.TextChoices):
    """Why the data was touched (HL7 PurposeOfUse); issue #5 enforces it against consent."""

    TREATMENT = "TREAT"
    SELF_ACCESS = "PATRQT"  # the patient looking at their own record
    OPERATIONS = "HOPERAT"


class AuditEvent(models.Model):
    # A monotonic integer key gives the chain its order (issue #5 links each row to the previous).
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    service_id = models.UUIDField(null=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=60, help_text='A dotted code, e.g. "alert.raised"')
    purpose = models.CharField(max_length=10, choices=Purpose.choices, blank=True)
    patient_id = models.UUIDField(null=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    source_ip = models.GenericIPAddressField(null=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    record_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["service_id", "patient_id", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} by {self.actor_role}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
