"""Measurement plans (what each patient is asked to complete, how often) and mood check-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from careloop.assessments.models import Assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.models import Patient, TreatmentEpisode
from careloop.core import clock
from careloop.core.fields import EncryptedTextField
from careloop.core.models import TenantModel
from careloop.monitoring.schedule import MAX_EVERY_DAYS, QUIET_HOURS, REMIND_AT
from careloop.monitoring.types import FollowUpState, ReminderChannel


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


# --- Follow-up after a risk answer (issue #18 item 5, hazard HZ-021) ---------------------------

# clinical_spec.md §1 safety: after PHQ-9 item 9 >= 1 the action is "same-day clinician review +
# structured risk assessment (e.g. C-SSRS screener), safety plan" (platform policy). §13: the
# C-SSRS screener is free to build into an EHR for health providers.
DEFAULT_RISK_FOLLOW_UP = "cssrs_screener"


class MonitoringSettings(TenantModel):
    """A service's own choices for monitoring, one row per service (absent = the defaults).

    The Service row (core) holds only what every domain needs; settings that belong to one
    domain live with it, so core never learns about questionnaires.
    """

    risk_follow_up_instrument = models.CharField(
        max_length=32,
        default=DEFAULT_RISK_FOLLOW_UP,
        help_text="Questionnaire offered right after a positive PHQ-9 item 9",
    )
    # Who changed it is in the audit trail (not a column: a link to a person would make this
    # service-wide row look like patient data to the rights inventory).
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service"], name="monitoring_settings_one_per_service")
        ]

    # No "withdrawn" state: once every alert raised by the trigger is closed, the offer leaves
    # the due list (selectors), and the clinician sees it offered and never answered.


class FollowUpOffer(TenantModel):
    """A follow-up questionnaire offered to a patient after a risk answer: who was offered
    what, when, and whether (and when) they answered it. Every change is audited."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="follow_up_offers")
    # The response whose risk answer led to the offer (one offer per response).
    trigger = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    instrument_id = models.CharField(max_length=32)
    state = models.CharField(
        max_length=10, choices=FollowUpState.choices, default=FollowUpState.OFFERED
    )
    offered_at = models.DateTimeField()
    response = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "trigger"], name="follow_up_one_per_trigger")
        ]
        indexes = [models.Index(fields=["service", "patient", "state"])]


class BandFit(TenantModel):
    """A service's fitted expected-recovery bands (counts per stratum and week, no identities),
    refitted by the worker at most daily so that no page fits them inside a request."""

    fitted_at = models.DateTimeField()
    episodes = models.PositiveIntegerField()
    counts = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service"], name="monitoring_band_fit_one_per_service")
        ]


class ReminderPreference(TenantModel):
    """How one patient wants to be reminded (#14): channel, time of day, quiet hours and pause.

    Absent = the defaults (schedule.DEFAULT_TIMING, every channel the patient has, as before).
    Written only by services.reminder_preferences.set_reminder_preference (audited); read by
    the reminder job.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(
        max_length=10, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    remind_at = models.TimeField(default=REMIND_AT)
    quiet_starts = models.TimeField(default=QUIET_HOURS.starts)
    quiet_ends = models.TimeField(default=QUIET_HOURS.ends)
    paused = models.BooleanField(default=False)  # until the patient switches reminders back on
    paused_until = models.DateField(null=True, blank=True)  # no reminder before this local day
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "patient"], name="one_reminder_preference_per_patient"
            )
        ]
