"""The fhir domain's public vocabulary: enums and value types other domains may use.

Models stay private to fhir; these are re-exported from its models for its own code."""

from __future__ import annotations

from django.db import models


class ClientKind(models.TextChoices):
    """How a registered SMART client authenticates and which scopes it may hold."""

    PUBLIC_PKCE = "public-pkce", "public app (authorisation code + PKCE, no secret)"
    CONFIDENTIAL = "confidential", "confidential app (authorisation code + PKCE + secret)"
    SYSTEM = "system", "backend service (client credentials; bulk export only)"


class ExportStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
