"""What the FHIR domain stores itself: where imported data came from, registered SMART clients
and bulk exports."""

from __future__ import annotations

from django.db import models
from oauth2_provider.settings import oauth2_settings

from careloop.core.models import TenantModel
from careloop.fhir.types import ClientKind, ExportStatus


class ImportedResource(TenantModel):
    """One resource received in an imported bundle, keyed by its source identity.

    It answers three questions: has this source resource been imported already (re-importing a
    bundle changes nothing), which Careloop row did it become (`local_type`/`local_id`; empty
    for reference-only support resources such as the Practitioners and Organizations that
    conditional references point at), and which bundle it came from (provenance: the bundle's
    SHA-256, because Synthea-style file names carry patient names). Only identifiers and hashes
    are kept here, never names.
    """

    resource_type = models.CharField(max_length=40)
    source_system = models.CharField(max_length=200)
    source_value = models.CharField(max_length=200)
    local_type = models.CharField(max_length=40, blank=True)
    local_id = models.UUIDField(null=True, blank=True)
    source_bundle = models.CharField(
        max_length=80, help_text='"sha256:<hex>" of the bundle file (a file name may carry a name)'
    )
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "resource_type", "source_system", "source_value"],
                name="imported_resource_source_unique",
            )
        ]
        indexes = [models.Index(fields=["service", "local_type", "local_id"])]


class SmartClient(TenantModel):
    """A django-oauth-toolkit Application registered for one service.

    Tokens of the application are honoured only for users of this service; a system client acts
    for the service itself with one purpose of use (HL7 PurposeOfUse code), which decides whose
    data it receives (consent) and is written on every audit event of its exports.
    """

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="smart_client"
    )
    kind = models.CharField(max_length=20, choices=ClientKind.choices)
    purpose = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} client {self.application_id}"


class ExportJob(TenantModel):
    """One bulk $export request: kicked off by a system client, built by the worker."""

    client = models.ForeignKey(SmartClient, on_delete=models.CASCADE, related_name="exports")
    status = models.CharField(
        max_length=12, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    resource_types = models.JSONField(default=list)
    since = models.DateTimeField(null=True, blank=True)
    request_url = models.CharField(max_length=2000)
    requested_at = models.DateTimeField()
    transaction_time = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    progress = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    patients_exported = models.PositiveIntegerField(default=0)
    resources_exported = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["service", "client", "requested_at"]),
            models.Index(fields=["status", "lease_until"]),
            models.Index(fields=["expires_at"]),
        ]


class ExportPart(TenantModel):
    """One NDJSON file of an export: a bounded chunk of one resource type, kept in the database
    so any app server can serve it (careloop.fhir.bulk.storage)."""

    job = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="parts")
    resource_type = models.CharField(max_length=40)
    sequence = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    content = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job", "resource_type", "sequence"], name="export_part_unique"
            )
        ]
