"""The messaging domain's public vocabulary: enums and value types other domains may use.

Models stay private to messaging; these are re-exported from its models for its own code."""

from __future__ import annotations

from django.db import models


class Direction(models.TextChoices):
    TO_TEAM = "to_team", "patient to care team"
    TO_PATIENT = "to_patient", "care team to patient"
