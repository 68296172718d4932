"""The safety domain's public vocabulary: enums and value types other domains may use.

Models stay private to safety; these are re-exported from its models for its own code."""

from __future__ import annotations

from django.db import models

from careloop.instruments.scoring import types as scoring_types


class AlertStatus(models.TextChoices):
    RAISED = "raised"  # written with the data that triggered it; the chain has not started
    NOTIFIED = "notified"  # the first tier has been told (inbox entries, messages queued)
    ACKNOWLEDGED = "acknowledged"  # a clinician has taken it on: escalation stops
    ACTIONED = "actioned"  # what was done is recorded (outcome + note)
    CLOSED = "closed"


# One severity vocabulary, defined with the risk flags that carry it (pure, below safety).
Severity = scoring_types.Severity
SEVERITY_CHOICES = [(s.value, s.name.title()) for s in Severity]  # Alert.severity's choices


class AlertSource(models.TextChoices):
    INSTRUMENT_ITEM = "instrument_item", "Questionnaire risk answer"
    # A sharp rise since the last score, or a reliable rise since the episode baseline.
    DETERIORATION = "deterioration", "Score deterioration"
    TEXT = "text", "Crisis language in text"
    CLINICIAN = "clinician", "Raised by a clinician"


class AlertOutcome(models.TextChoices):
    CONTACTED_PATIENT = "contacted_patient", "Contacted the patient"
    SAFETY_PLAN_REVIEWED = "safety_plan_reviewed", "Safety plan reviewed"
    URGENT_REFERRAL = "urgent_referral", "Urgent referral"
    EMERGENCY_SERVICES = "emergency_services", "Emergency services called"
    FALSE_POSITIVE = "false_positive", "False positive"


class DeliveryState(models.TextChoices):
    PENDING = "pending"  # waiting for its next attempt
    IN_FLIGHT = "in_flight"  # a worker holds the lease and is sending
    DELIVERED = "delivered"  # the channel accepted it
    FAILED = "failed"  # every attempt failed; counted towards the fallback
    CANCELLED = "cancelled"  # acknowledged before it was sent: nobody needs paging any more


class InboxKind(models.TextChoices):
    ALERT = "alert"  # you are asked to respond (a tier step or the fallback reached you)
    ACKNOWLEDGED = "acknowledged"  # someone took it on; no response needed from you


class TierTarget(models.TextChoices):
    TEAM_CLINICIANS = "team_clinicians", "The patient's clinicians (care team)"
    ON_CALL = "on_call", "Whoever is on call for the team (rota)"
    SERVICE_LEAD = "service_lead", "The service lead"


class StepKind(models.TextChoices):
    TIER = "tier"
    FALLBACK = "fallback"  # every channel failed or the chain ran out: banner + supervisors


class ReviewKind(models.TextChoices):
    # An imported result whose risk item is unknown (a total only) or that is in the severe band.
    RISK_NOT_ASSESSED = "risk_not_assessed", "Risk not assessed"
    # Patient text the crisis-language detector could not screen (e.g. an uncovered language).
    TEXT_NOT_SCREENED = "text_not_screened", "Text not screened"


class ReviewStatus(models.TextChoices):
    OPEN = "open"
    REVIEWED = "reviewed"
