"""Where the NDJSON files of an export live. The app servers keep no state, so the default store
is the database (one row per bounded part); another store only has to offer these four calls.

On PostgreSQL a part (up to 16 MB) is sent as a bound parameter and compressed with lz4: Django's
client-side binding would escape it and PostgreSQL would then parse it back out of the SQL
text, and its default pglz compression costs three to four times lz4's CPU. Together that was
most of the database's share of an export.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import psycopg
from django.db import connection, transaction
from psycopg import sql

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
        part = ExportPart(
            service_id=job.service_id,
            job=job,
            resource_type=resource_type,
            sequence=sequence,
            count=len(lines),
            content="\n".join([*lines, ""]),  # one copy of up to 16 MB, not two
        )
        if connection.vendor == "postgresql":
            with transaction.atomic():
                _insert_bound(part)
        else:
            part.save(force_insert=True)

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


def _insert_bound(part: ExportPart) -> None:
    """INSERT the part with server-side parameter binding, lz4-compressed where available."""
    fields = ExportPart._meta.concrete_fields
    columns = sql.Composed([sql.Identifier(str(field.column)) for field in fields])
    statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(ExportPart._meta.db_table),
        columns.join(", "),
        sql.Composed([sql.Placeholder() for _ in fields]).join(", "),
    )
    values = [field.get_db_prep_save(getattr(part, field.attname), connection) for field in fields]
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        previous = _use_lz4(cursor)
        cursor.execute(statement, values)
        if previous is not None:
            cursor.execute("SELECT set_config('default_toast_compression', %s, true)", [previous])


def _use_lz4(cursor: psycopg.Cursor[tuple[object, ...]]) -> str | None:
    """Switch this transaction to lz4 TOAST compression if the server has it (PostgreSQL 14+
    built with lz4); returns the setting to restore."""
    cursor.execute(
        "SELECT setting FROM pg_settings WHERE name = 'default_toast_compression'"
        " AND 'lz4' = ANY(enumvals)"
    )
    found = cursor.fetchone()
    if found is None:
        return None
    cursor.execute("SELECT set_config('default_toast_compression', 'lz4', true)")
    return str(found[0])


def export_store() -> ExportStore:
    return DatabaseStore()
