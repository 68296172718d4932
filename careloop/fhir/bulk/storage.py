"""Where the NDJSON files of an export live. The app servers keep no state, so the default store
is the database (one row per bounded part); another store only has to offer these four calls."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from careloop.fhir.models import ExportJob, ExportPart


@dataclass(frozen=True)
class StoredFile:
    file_id: uuid.UUID
    resource_type: str
    count: int


class ExportStore(Protocol):
    def write(
        self, job: ExportJob, resource_type: str, sequence: int, lines: list[str]
    ) -> None: ...

    def files(self, job: ExportJob) -> list[StoredFile]: ...

    def read(self, job: ExportJob, file_id: uuid.UUID) -> Iterator[str] | None: ...

    def delete(self, job: ExportJob) -> None: ...


class DatabaseStore:
    def write(self, job: ExportJob, resource_type: str, sequence: int, lines: list[str]) -> None:
        ExportPart.objects.create(
            service_id=job.service_id,
            job=job,
            resource_type=resource_type,
            sequence=sequence,
            count=len(lines),
            content="\n".join(lines) + "\n",
        )

    def files(self, job: ExportJob) -> list[StoredFile]:
        rows = ExportPart.objects.filter(job=job).order_by("resource_type", "sequence")
        return [
            StoredFile(file_id, resource_type, count)
            for file_id, resource_type, count in rows.values_list("id", "resource_type", "count")
        ]

    def read(self, job: ExportJob, file_id: uuid.UUID) -> Iterator[str] | None:
        content = (
            ExportPart.objects.filter(job=job, id=file_id).values_list("content", flat=True).first()
        )
        if content is None:
            return None
        return iter((content,))

    def delete(self, job: ExportJob) -> None:
        ExportPart.objects.filter(job=job).delete()


def export_store() -> ExportStore:
    return DatabaseStore()
