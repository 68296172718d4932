"""Who is told, in what order, and how long each tier has to acknowledge."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from careloop.care.models import CareTeam
from careloop.core.models import TenantModel
from careloop.notifications.types import Channel
from careloop.safety.models.alerts import Alert
from careloop.safety.types import StepKind, TierTarget

OUTBOUND_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WEB_PUSH)


def all_channels() -> list[str]:
    return [str(channel) for channel in Channel]


class EscalationPolicy(TenantModel):
    """A care team's escalation chain; a change makes a new version and records who made it."""

    care_team = models.OneToOneField(
        CareTeam, on_delete=models.CASCADE, related_name="escalation_policy"
    )
    version = models.PositiveIntegerField(default=1)
    service_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()


class EscalationTier(TenantModel):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="tiers")
    position = models.PositiveSmallIntegerField()  # 1 = told first
    target = models.CharField(max_length=20, choices=TierTarget.choices)
    acknowledge_within_seconds = models.PositiveIntegerField()
    channels = models.JSONField(default=all_channels)  # notifications.Channel values

    class Meta:
        ordering = ("position",)
        constraints = (
            models.UniqueConstraint(fields=["policy", "position"], name="tier_position_unique"),
        )

    @property
    def acknowledge_within_minutes(self) -> float:
        return self.acknowledge_within_seconds / 60


class OnCallShift(TenantModel):
    """One person on call for one team over [starts_at, ends_at)."""

    care_team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="on_call")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="on_call_shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        indexes = (models.Index(fields=["service", "care_team", "starts_at"]),)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_has_length"
            ),
        )


class EscalationStep(TenantModel):
    """One step an alert's escalation took; (alert, number) is unique, so no step fires twice."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField()  # tier steps 1, 2, 3...; the fallback is 0
    kind = models.CharField(max_length=10, choices=StepKind.choices)
    # A copy of the tier as it was, so history reads right after the policy changes.
    policy_version = models.PositiveIntegerField(null=True)
    target = models.CharField(max_length=20, blank=True)
    acknowledge_within_seconds = models.PositiveIntegerField(null=True)
    due_at = models.DateTimeField()
    fired_at = models.DateTimeField()
    recipient_count = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)  # e.g. "rota gap: team supervisors told"

    class Meta:
        ordering = ("alert", "fired_at", "number")
        constraints = (
            models.UniqueConstraint(fields=["alert", "number"], name="step_once_per_alert"),
        )
