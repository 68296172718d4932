"""What the FHIR domain stores itself: where imported data came from."""

from __future__ import annotations

from django.db import models

from careloop.core.models import TenantModel


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
