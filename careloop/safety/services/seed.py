"""Writes for the synthetic-population loader (careloop.seed) only: alerts for synthetic risk
answers, written on a fast path with no audit events and no deliveries (nothing real happened)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from careloop.core.bulk import write_rows
from careloop.safety.models import Alert


def new_alert_for_seed(**fields: Any) -> Alert:
    """An unsaved alert (defaults applied) for bulk_create_alerts_for_seed."""
    return Alert(**fields)


def bulk_create_alerts_for_seed(rows: Sequence[Alert]) -> None:
    write_rows(Alert, rows)
