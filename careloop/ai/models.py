"""The ai domain's tables (private: other domains use ai.selectors, ai.services, ai.types).

* ModelVersion — the registry: every model or rule version with its card's facts (purpose,
  training data and provenance, metrics overall and per group, calibration, limitations), its
  parameters as JSON (never pickle) and the fairness gate's result. Global (service empty) or a
  service's own. Not patient data: no row names a patient (held-out evaluation rows carry only
  a label, a probability and group names).
* ModelSwitch — the kill switch, per service and kind of model.
* Prediction, Suggestion, ReviewTask — patient data (ai.patient_data registers them).
* DriftCheck — a stored comparison of a model's inputs and calibration over two windows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from careloop.ai.types import (
    Decision,
    ModelKind,
    ModelStatus,
    ReasonCode,
    ReviewStatus,
    RiskBand,
    SuggestionMoment,
    SuggestionSource,
    SuggestionStatus,
)
from careloop.care.models import Patient, TreatmentEpisode
from careloop.core import clock
from careloop.core.fields import EncryptedTextField
from careloop.core.ids import uuid7
from careloop.core.models import Service, TenantModel


class ModelVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Empty: one model for every service (e.g. the crisis-text detector)",
    )  # fmt: skip
    kind = models.CharField(max_length=24, choices=ModelKind.choices)
    version = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=ModelStatus.choices, default=ModelStatus.DRAFT)
    intended_use = models.TextField()
    training_data = models.TextField(help_text="What the model learned from, in words")
    provenance = models.TextField(help_text="Where that data came from, and its licence")
    limitations = models.JSONField(default=list)
    method = models.TextField(blank=True)
    parameters = models.JSONField(default=dict, help_text="The model itself, as JSON (no pickle)")
    metrics = models.JSONField(default=dict)
    per_group = models.JSONField(default=dict)
    calibration = models.JSONField(default=list)
    held_out = models.JSONField(
        default=list, help_text="[label, probability, groups] per held-out episode; no ids"
    )
    gate = models.JSONField(default=dict, help_text="The fairness gate per dimension")
    dry_run = models.JSONField(default=dict, help_text="Rule versions: the last dry-run")
    created_at = models.DateTimeField(default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "kind", "version"], name="ai_model_version_unique"
            ),
            models.UniqueConstraint(
                fields=["kind", "version"],
                condition=Q(service__isnull=True),
                name="ai_global_model_version_unique",
            ),
            models.UniqueConstraint(
                fields=["service", "kind"],
                condition=Q(status="active"),
                name="ai_one_active_version_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.version}"


class ModelSwitch(TenantModel):
    """The kill switch: while `is_off`, the service uses the rules instead of this kind of
    model. One row per service and kind, changed only by ai.services.set_model_switch."""

    kind = models.CharField(max_length=24, choices=ModelKind.choices)
    is_off = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "kind"], name="ai_switch_per_kind")
        ]


class Prediction(TenantModel):
    """One early-warning estimate: the model version, its inputs and its explanation."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(TreatmentEpisode, on_delete=models.CASCADE, related_name="+")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="+")
    inputs = models.JSONField(help_text="Feature name -> value, as the model read them")
    probability = models.FloatField(help_text="Calibrated P(no reliable improvement by week 12)")
    band = models.CharField(max_length=8, choices=RiskBand.choices)
    explanation = models.JSONField(help_text="Each input's contribution in log-odds, in words")
    baseline_log_odds = models.FloatField()
    as_of_day = models.PositiveSmallIntegerField(help_text="Days since the episode started")
    made_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["service", "patient", "-made_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "model_version"], name="ai_one_prediction_per_episode_version"
            )
        ]


class Suggestion(TenantModel):
    """A suggestion shown to the clinician (from the rules or the model), and their decision."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(TreatmentEpisode, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=8, choices=SuggestionSource.choices)
    moment = models.CharField(max_length=16, choices=SuggestionMoment.choices)
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="+")
    rules_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prediction = models.ForeignKey(
        Prediction, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    current_step = models.PositiveSmallIntegerField(null=True, blank=True)
    suggested_step = models.PositiveSmallIntegerField()
    summary = models.CharField(max_length=300, help_text="The suggestion in one plain sentence")
    inputs = models.JSONField()
    explanation = models.JSONField(help_text="Plain-words reasons (rules fired, contributions)")
    created_at = models.DateTimeField(default=clock.now)
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    reason = models.CharField(max_length=32, choices=ReasonCode.choices, blank=True)
    note = EncryptedTextField(blank=True)  # the clinician's words: may describe the patient
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    step_changed = models.BooleanField(default=False, help_text="Accepting it changed the step")

    class Meta:
        indexes = [
            models.Index(fields=["service", "patient", "-created_at"]),
            models.Index(fields=["service", "status", "-decided_at"]),
        ]


class ReviewTask(TenantModel):
    """The patient asked a person to review a decision an AI suggestion influenced."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="+")
    message = EncryptedTextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=clock.now)
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    answer = EncryptedTextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["service", "status", "due_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion"],
                condition=Q(status="open"),
                name="ai_one_open_review_per_suggestion",
            )
        ]


class DriftCheck(TenantModel):
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="+")
    checked_at = models.DateTimeField(default=clock.now)
    reference = models.JSONField(help_text="The reference window: dates and number of rows")
    recent = models.JSONField()
    psi = models.JSONField(help_text="Feature -> population stability index")
    calibration = models.JSONField(help_text="Observed vs predicted in each window")
    flagged = models.BooleanField()
    flags = models.JSONField(default=list, help_text="What moved, in words")
