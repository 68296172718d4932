"""The registry of "AI suggestions overridden" for the supervisor's review list.

Careloop has no AI suggestions yet (issue #15 will add them). A domain that makes suggestions
(stepped-care suggestions, early warnings) fills this registry in its AppConfig.ready() with a
function listing, for a supervisor, the suggestions their teams' clinicians overrode; the review
list then shows them. Until one registers, the page says plainly that there are none in this
service, instead of an empty table that would look like "none were overridden".
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careloop.accounts.models import User


@dataclass(frozen=True)
class OverriddenSuggestion:
    """One suggestion a clinician did not follow, as the supervisor sees it (plain words)."""

    patient_id: uuid.UUID
    patient_name: str
    suggested: str  # what was suggested, e.g. "Step up to high-intensity therapy"
    decided: str  # what the clinician did instead
    decided_by: str
    decided_at: datetime
    reason: str  # the clinician's reason for overriding, if they gave one


# (user, since) -> suggestions overridden since then, among patients the user may see. The
# source must read through the access decision itself (care.selectors), like any selector.
OverrideSource = Callable[["User", datetime], list[OverriddenSuggestion]]

_SOURCES: dict[str, OverrideSource] = {}


def register_override_source(name: str, source: OverrideSource) -> None:
    """Called once per source from its domain's AppConfig.ready()."""
    if name in _SOURCES and _SOURCES[name] is not source:
        raise ValueError(f"an override source named {name!r} is already registered")
    _SOURCES[name] = source


def unregister_override_source(name: str) -> None:
    """For tests."""
    _SOURCES.pop(name, None)


def overridden_suggestions(user: User, since: datetime) -> list[OverriddenSuggestion] | None:
    """Every registered source's overrides, newest first; None when no source is registered
    (the service has no AI suggestions at all)."""
    if not _SOURCES:
        return None
    rows = [row for source in _SOURCES.values() for row in source(user, since)]
    return sorted(rows, key=lambda row: row.decided_at, reverse=True)
