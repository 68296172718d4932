"""The assessments domain's public vocabulary: enums and value types other domains may use.

Models stay private to assessments; these are re-exported from its models for its own code."""

from __future__ import annotations

from django.db import models


class SubmissionSource(models.TextChoices):
    WEB = "web"  # the server-rendered form
    API = "api"  # the JSON API (app, offline client)
    SEED = "seed"  # synthetic population
    IMPORT = "import"  # FHIR import


class AssessmentStatus(models.TextChoices):
    COMPLETE = "complete"  # scored (or prorated where the instrument's manual allows it)
    # Items the score needs are missing, but a risk item was answered: stored unscored so the
    # risk answer is never discarded and its alert is raised (issue #18 item 2, HZ-017).
    INCOMPLETE = "incomplete"
