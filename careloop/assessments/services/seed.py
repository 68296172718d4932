"""Writes for the synthetic-population loader (careloop.seed) only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from careloop.assessments.models import Assessment
from careloop.core.bulk import write_rows

if TYPE_CHECKING:
    pass

# Writes for the synthetic-population loader (careloop.seed) only: answers already scored by the
# loader, no audit events (nothing real happened), on a fast path for bulk loads.


def new_assessment_for_seed(**fields: Any) -> Assessment:
    """An unsaved assessment (defaults applied) for bulk_create_assessments_for_seed."""
    return Assessment(**fields)


def bulk_create_assessments_for_seed(rows: Sequence[Assessment]) -> None:
    write_rows(Assessment, rows)
