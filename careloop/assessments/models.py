from __future__ import annotations

from django.conf import settings
from django.db import models

from careloop.assessments.types import AssessmentStatus, SubmissionSource
from careloop.care.models import Patient, TreatmentEpisode
from careloop.core.models import TenantModel


class Assessment(TenantModel):
    """One questionnaire response: raw item answers plus the score computed from them.

    An INCOMPLETE response (status) has no score: it is kept only because a risk item was
    answered, and readers of scores must skip it (score_total is None).

    The raw answers are the record; the score columns are derived by the versioned scorer and kept
    so lists and registries need no re-scoring.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="assessments")
    episode = models.ForeignKey(
        TreatmentEpisode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    instrument_id = models.CharField(max_length=32)
    instrument_version = models.CharField(max_length=48, help_text='e.g. "phq9@1.0.0"')
    answers = models.JSONField(help_text="Item ordinals in item order; null = item not answered")
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.COMPLETE
    )
    # linkIds of the items still needed for a score (empty when complete), shown to the patient.
    missing_items = models.JSONField(default=list, blank=True)
    score_total = models.FloatField(null=True, help_text="None: no total (C-SSRS) or incomplete")
    band = models.CharField(max_length=40, blank=True)
    caseness = models.BooleanField(null=True)
    prorated = models.BooleanField(default=False)
    risk_flags = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=8, choices=SubmissionSource.choices)
    # Chosen by the client before sending: a retried or offline-queued submission is stored once.
    client_id = models.UUIDField()
    # False for a total imported from another system without its item answers (FHIR import):
    # `answers` is then [] and the score is the source's total, range-checked but not recomputed.
    items_available = models.BooleanField(
        default=True, help_text="False = imported total only; no item answers were received"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "patient", "client_id"], name="assessment_client_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["service", "patient", "instrument_id", "-completed_at"]),
            # The NHS TT report reads each ended episode's scored totals by episode; with the
            # total and service in the index (as trailing keys: SQLite has no INCLUDE) that
            # read never visits the table (docs/performance.md: 0.5 -> 0.2 s a page).
            models.Index(
                fields=["episode", "instrument_id", "completed_at", "score_total", "service"],
                condition=models.Q(score_total__isnull=False),
                name="assessment_episode_scores",
            ),
        ]

    @property
    def has_risk_flag(self) -> bool:
        return bool(self.risk_flags)
