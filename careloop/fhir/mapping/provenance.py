"""Import provenance (fhir.ImportedResource) → FHIR Provenance: where a record came from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from careloop.fhir.mapping.common import Resource, instant, with_meta

DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"


class ImportRecord(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def resource_type(self) -> str: ...
    @property
    def source_system(self) -> str: ...
    @property
    def source_value(self) -> str: ...
    @property
    def source_bundle(self) -> str: ...
    @property
    def imported_at(self) -> datetime: ...


def provenance_resource(record: ImportRecord, target: dict[str, str]) -> Resource:
    """`target` is the reference of the Careloop resource the source record became."""
    resource: Resource = {
        "resourceType": "Provenance",
        "id": str(record.id),
        "target": [target],
        "recorded": instant(record.imported_at),
        "activity": {"coding": [{"system": DATA_OPERATION, "code": "CREATE"}]},
        "agent": [
            {
                "type": {"coding": [{"system": PARTICIPANT_TYPE, "code": "assembler"}]},
                "who": {"display": "careloop fhir import"},
            }
        ],
        "entity": [
            {
                "role": "source",
                "what": {
                    "type": record.resource_type,
                    "identifier": {"system": record.source_system, "value": record.source_value},
                    "display": f"bundle {record.source_bundle}",
                },
            }
        ],
    }
    return with_meta(resource, record.imported_at)
