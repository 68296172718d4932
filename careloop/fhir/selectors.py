"""Reads of the FHIR domain's own tables. Patient data is read through the owning domains'
selectors (careloop.<domain>.selectors), which judge visibility through care.selectors."""

from __future__ import annotations

import uuid

from careloop.fhir.models import ImportedResource


def import_sources(
    service_id: uuid.UUID, assessment_ids: list[uuid.UUID]
) -> dict[uuid.UUID | None, dict[str, str]]:
    """The source identifier of each imported assessment (provenance), by assessment id."""
    rows = ImportedResource.objects.filter(
        service_id=service_id, local_type="Assessment", local_id__in=assessment_ids
    )
    return {row.local_id: {"system": row.source_system, "value": row.source_value} for row in rows}
