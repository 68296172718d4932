"""Assessment rows as the line builders take them (assessment_lines.AssessmentRow): plain
column values, streamed, with the two times already written as R4 instants.

On PostgreSQL the database writes the instants (to_char), so no datetime object is built for
the hundreds of thousands of rows of an export; elsewhere they are written here, by the same
function the mappers use.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import CharField, Func, QuerySet

from careloop.fhir.bulk.assessment_lines import AssessmentRow
from careloop.fhir.mapping.common import instant

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment

CHUNK = 2000  # rows fetched per round trip
_COMPLETED = AssessmentRow._fields.index("completed")
_RECORDED = AssessmentRow._fields.index("recorded")


class _Instant(Func):
    """A timestamptz as an R4 instant, exactly as common.instant writes it (UTC, milliseconds
    truncated, 'Z'), so the rows need no datetime objects at all (PostgreSQL only)."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    output_field = CharField()


def assessment_rows(rows: QuerySet[Assessment], *extra: str) -> Iterator[tuple[Any, ...]]:
    """The AssessmentRow columns (then `extra`) of `rows`, streamed."""
    columns = list(AssessmentRow._fields)
    if connection.vendor == "postgresql":
        rows = rows.annotate(completed=_Instant("completed_at"), recorded=_Instant("recorded_at"))
        yield from rows.values_list(*columns, *extra).iterator(chunk_size=CHUNK)
        return
    columns[_COMPLETED], columns[_RECORDED] = "completed_at", "recorded_at"
    for values in rows.values_list(*columns, *extra).iterator(chunk_size=CHUNK):
        as_text = list(values)
        as_text[_COMPLETED], as_text[_RECORDED] = (
            instant(values[_COMPLETED]),
            instant(values[_RECORDED]),
        )
        yield tuple(as_text)
