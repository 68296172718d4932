"""Consent documents and decisions (append-only), and break-glass grants.

The patient is named as "care.Patient" by string: privacy sits below care and never imports it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from careloop.core.fields import EncryptedTextField
from careloop.core.models import TenantModel
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.types import Choice, GrantEnding


class ImmutableRow(RuntimeError):
    """A consent decision or published document was about to change: history is never rewritten."""


def _purpose_choices() -> list[tuple[str, str]]:
    return [(purpose.value, purpose.value) for purpose in PurposeOfUse]


def _stream_choices() -> list[tuple[str, str]]:
    return [(stream.value, stream.value) for stream in DataStream]


class ConsentDocument(TenantModel):
    """One published version of the plain-language text a patient agrees to (or refuses).

    `title` and `body` map a language code to text; English ("en") is always present.
    """

    purpose = models.CharField(max_length=10, choices=_purpose_choices())
    stream = models.CharField(max_length=20, choices=_stream_choices())
    version = models.PositiveIntegerField()
    title = models.JSONField()
    body = models.JSONField()
    effective_from = models.DateTimeField()
    requires_reconsent = models.BooleanField(
        default=False,
        help_text="Opt-in agreements to earlier versions stop counting: patients must agree again",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "purpose", "stream", "version"], name="consent_document_unique"
            )
        ]
        indexes = [models.Index(fields=["service", "purpose", "stream", "-version"])]

    def __str__(self) -> str:
        return f"{self.purpose}/{self.stream} v{self.version}"

    def text_in(self, language: str) -> tuple[str, str]:
        """(title, body) in `language`, or in English if not translated."""
        title: dict[str, str] = self.title
        body: dict[str, str] = self.body
        return title.get(language, title["en"]), body.get(language, body["en"])

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRow("a published consent document is never changed: publish a new one")
        super().save(*args, **kwargs)


class ConsentDecision(TenantModel):
    """One choice by the patient; the latest per (patient, purpose, stream) is what applies."""

    patient = models.ForeignKey("care.Patient", on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=10, choices=_purpose_choices())
    stream = models.CharField(max_length=20, choices=_stream_choices())
    choice = models.CharField(max_length=10, choices=Choice.choices)
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    document_version = models.PositiveIntegerField()
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.CharField(max_length=32, unique=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["service", "patient", "purpose", "stream", "-decided_at"],
                name="consent_latest_idx",
            ),
            models.Index(fields=["service", "purpose", "stream"], name="consent_by_use_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.choice} {self.purpose}/{self.stream} ({self.receipt})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRow("consent decisions are append-only: record a new decision")
        super().save(*args, **kwargs)


class BreakGlassGrant(TenantModel):
    """Emergency access to one patient by a clinician outside their care team, with a reason."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey("care.Patient", on_delete=models.CASCADE, related_name="+")
    # Free text about a patient in crisis: encrypted at rest, never copied into the audit trail.
    reason = EncryptedTextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ending = models.CharField(max_length=10, choices=GrantEnding.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["service", "clinician", "patient", "expires_at"]),
            models.Index(fields=["service", "patient", "-started_at"]),
            models.Index(fields=["ended_at", "expires_at"], name="breakglass_open_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("started_at")),
                name="breakglass_expires_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"break-glass {self.clinician_id} → {self.patient_id}"
