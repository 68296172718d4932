"""The privacy domain's public vocabulary: enums and value types other domains may use.

Models stay private to privacy; these are re-exported from its models for its own code."""

from __future__ import annotations

from django.db import models


class Choice(models.TextChoices):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"


class GrantEnding(models.TextChoices):
    ENDED = "ended"  # the clinician stopped early
    EXPIRED = "expired"  # 60 minutes passed
