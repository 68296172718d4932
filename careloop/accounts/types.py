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


# Who does staff work (must pass MFA before seeing patient data), and who works in a care team.
STAFF_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR, Role.SERVICE_ADMIN, Role.RESEARCHER})
CARE_TEAM_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR})
