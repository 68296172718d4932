"""The care domain's public vocabulary: enums and value types other domains may use.

Models stay private to care; these are re-exported from its models for its own code."""

from __future__ import annotations

from django.db import models


class Gender(models.TextChoices):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary", "Non-binary"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class EpisodeEnding(models.TextChoices):
    ONGOING = "ongoing"
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"
