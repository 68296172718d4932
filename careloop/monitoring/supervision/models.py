from __future__ import annotations

from django.conf import settings
from django.db import models

from careloop.core import clock
from careloop.core.fields import EncryptedTextField
from careloop.core.models import TenantModel
from careloop.monitoring.supervision.types import ReviewOutcome


class CaseReview(TenantModel):
    """A supervisor's review of one patient's care: a note, or a sign-off with a decision.
    Appended, never edited; written only by supervision.services."""

    patient = models.ForeignKey("care.Patient", on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(
        "care.TreatmentEpisode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The course of care reviewed (empty if none was ongoing)",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=clock.now)
    # Blank: a note only. Otherwise the review is signed off with this decision.
    outcome = models.CharField(max_length=32, choices=ReviewOutcome.choices, blank=True)
    # The supervisor's words about the patient: encrypted at rest.
    note = EncryptedTextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["service", "patient", "-reviewed_at"], name="supervision_patient_latest"
            ),
        ]

    @property
    def is_sign_off(self) -> bool:
        return bool(self.outcome)
