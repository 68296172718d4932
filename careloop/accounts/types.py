"""The accounts domain's public vocabulary: enums and value types other domains may use.

Models stay private to accounts; these are re-exported from its models for its own code."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician (care manager)"
    SUPERVISOR = "supervisor", "Supervisor (psychiatric consultant)"
    SERVICE_ADMIN = "service_admin", "Service admin"
    RESEARCHER = "researcher", "Researcher"
