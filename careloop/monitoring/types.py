"""The monitoring domain's public vocabulary: enums and value types other domains may use.

Models stay private to monitoring; these are re-exported from its models for its own code."""

from __future__ import annotations

from django.db import models


class FollowUpState(models.TextChoices):
    OFFERED = "offered"  # on the patient's result page and in their due list
    COMPLETED = "completed"  # answered: `response` is the follow-up questionnaire
