"""Measurement plans (what each patient is asked to complete, how often) and mood check-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from careloop.assessments.models import SubmissionSource
from careloop.care.models import Patient, TreatmentEpisode
from careloop.core import clock
from careloop.core.fields import EncryptedTextField
from careloop.core.models import TenantModel
from careloop.monitoring.schedule import MAX_EVERY_DAYS


class MeasurementPlan(TenantModel):
    """The measures a patient is asked to complete during their current treatment episode.

    Until the care-plan entity arrives (a later issue), the plan hangs off the patient, with the
    treatment episode it was made for; a patient has at most one active plan. Plans are created
    from the default by `services.ensure_default_plan` and changed item by item by clinicians.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="measurement_plans")
    episode = models.ForeignKey(
        TreatmentEpisode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)
    # When the reminder job should next look at this plan (the worker's work queue).
    next_reminder_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "patient"],
                condition=Q(active=True),
                name="one_active_measurement_plan_per_patient",
            )
        ]
        indexes = [
            models.Index(fields=["service", "patient"]),
            # The reminder job scans every tenant, like the notification outbox.
            models.Index(fields=["active", "next_reminder_at"]),
        ]


class PlanItem(TenantModel):
    """One measure in a plan and its cadence (see schedule.py for what the numbers mean)."""

    plan = models.ForeignKey(MeasurementPlan, on_delete=models.CASCADE, related_name="items")
    measure = models.CharField(max_length=32, help_text='An instrument id ("phq9") or "checkin"')
    every_days = models.PositiveSmallIntegerField()
    overdue_after_days = models.PositiveSmallIntegerField()
    remind_before_days = models.PositiveSmallIntegerField(default=0)
    reminder_enabled = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    starts_on = models.DateField(help_text="Local day from which the measure can be due")
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "measure"], name="plan_item_measure_unique"),
            models.CheckConstraint(
                condition=Q(every_days__gte=1)
                & Q(every_days__lte=MAX_EVERY_DAYS)
                & Q(overdue_after_days__lt=F("every_days"))
                & Q(remind_before_days__lt=F("every_days")),
                name="plan_item_cadence_valid",
            ),
        ]


class CheckIn(TenantModel):
    """A daily mood check-in: one 0–10 rating (0 = very low, 10 = very good) and an optional note.

    Not a validated instrument: a quick self-rating between questionnaires, shown to the care
    team as a trend. Stored in monitoring because the instrument library holds validated
    questionnaires only.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    mood = models.PositiveSmallIntegerField()
    note = EncryptedTextField(blank=True, max_length=500)
    completed_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=8, choices=SubmissionSource.choices)
    # Chosen by the client before sending: a retried or offline-queued check-in is stored once.
    client_id = models.UUIDField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "patient", "client_id"], name="checkin_client_id_unique"
            ),
            models.CheckConstraint(condition=Q(mood__lte=10), name="checkin_mood_0_to_10"),
        ]
        indexes = [models.Index(fields=["service", "patient", "-completed_at"])]
