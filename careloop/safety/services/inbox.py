"""Each recipient's alert stream: entries numbered 1, 2, 3... with no gaps.

A client that remembers the last number it saw asks for everything after it and can tell from a
jump that it missed something (FHIR Subscriptions' eventsSinceSubscriptionStart, reliability §2).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from careloop.safety.models import Alert, EscalationStep, InboxEntry, RecipientStream
from careloop.safety.types import InboxKind

if TYPE_CHECKING:
    from careloop.accounts.models import User


def append_to_streams(
    alert: Alert,
    step: EscalationStep | None,
    recipients: Iterable[User],
    kind: InboxKind,
    now: datetime,
) -> list[InboxEntry]:
    """Add one entry per recipient, each taking the next number of that recipient's stream.

    The stream heads are locked in user-id order (so two writers never deadlock) and advance in
    the caller's transaction together with the entries: a rollback takes back both, so numbers
    are never skipped, and the unique (recipient, seq) constraint makes a reuse impossible.
    """
    user_ids = sorted({user.id for user in recipients})
    if not user_ids:
        return []
    RecipientStream.objects.bulk_create(
        [RecipientStream(service_id=alert.service_id, user_id=user_id) for user_id in user_ids],
        ignore_conflicts=True,
    )
    streams = list(
        RecipientStream.objects.select_for_update(no_key=True)
        .filter(user_id__in=user_ids)
        .order_by("user_id")
    )
    entries = []
    for stream in streams:
        stream.last_seq += 1
        entries.append(
            InboxEntry(
                service_id=alert.service_id,
                recipient_id=stream.user_id,
                seq=stream.last_seq,
                kind=kind,
                alert=alert,
                step=step,
                created_at=now,
            )
        )
    RecipientStream.objects.bulk_update(streams, ["last_seq"])
    InboxEntry.objects.bulk_create(entries)
    return entries
