"""Idempotent writes by client id: a re-sent request returns what the first one stored.

A phone that lost its connection re-sends the same write under the same client-chosen id
(journal entries, messages, questionnaires, check-ins). The stored row is returned instead of a
second copy; the same id with a different content is a client bug or a clash, refused with 409
rather than silently answered with the other content. Each domain says which rows share one id
space (its own queryset) and what "the same content" means for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import models

from careloop.core.errors import Conflict

Row = TypeVar("Row", bound=models.Model)


def replayed(
    rows: models.QuerySet[Row],
    client_id: uuid.UUID,
    *,
    content: Callable[[Row], object],
    sent: object,
    what: str,
) -> Row | None:
    """The row stored earlier under `client_id` among `rows`, or None if there is none.

    Conflict ("this client id was already used for a different <what>") when that row's
    `content(row)` differs from `sent`.
    """
    earlier = rows.filter(client_id=client_id).first()
    if earlier is not None and content(earlier) != sent:
        raise Conflict(f"this client id was already used for a different {what}")
    return earlier
