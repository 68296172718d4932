"""The verdict of the two-worker measurement (multiprocess.py) on alert deliveries, pure: what the
escalation steps called for (their inbox entries x the channels each recipient can be reached on),
against the delivery rows in the database and the workers' send log."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

Key = tuple[str, int, str, str]  # alert id, step number, recipient id, channel


@dataclass(frozen=True)
class DeliveryRow:
    alert_id: str
    step: int
    recipient_id: str
    channel: str
    state: str
    idempotency_key: str
    attempts: int = 1  # claims: a worker must claim (lease) a row to send it
    owner: str = ""  # the last claimer, "host:pid"

    @property
    def key(self) -> Key:
        return (self.alert_id, self.step, self.recipient_id, self.channel)


@dataclass(frozen=True)
class InboxRow:
    """One inbox entry of a step, with the outbound channels its recipient can be reached on."""

    alert_id: str
    step: int
    recipient_id: str
    channels: tuple[str, ...]


@dataclass
class DeliveryAudit:
    alerts_raised: int
    alerts_with_deliveries: int
    steps: int
    inbox_entries: int
    inbox_duplicates: int  # a recipient told twice in the app about one step
    deliveries_expected: int
    delivery_rows: int
    duplicate_rows: int  # more than one row for one (alert, step, recipient, channel)
    sends: int
    duplicate_sends: int  # a message handed to a channel more than once
    lost: int  # expected, but no row
    unexpected: int  # a row nobody's inbox entry calls for
    not_delivered: int  # a row not in state delivered
    claimed_twice: int  # rows claimed more than once (a retry or a swept lease: may re-send)
    delivered_unsent: int  # marked delivered by one of our workers without a send in its log
    # Marked delivered by a process outside this run (another benchmark's worker on the same
    # database): counted as deliveries, but its sends are not in our log.
    delivered_by_others: int
    per_alert: dict[str, int] = field(default_factory=dict)  # deliveries per alert: how many had n

    @property
    def ok(self) -> bool:
        return (
            self.alerts_raised > 0
            and self.alerts_with_deliveries == self.alerts_raised
            and not any(
                (
                    self.inbox_duplicates,
                    self.duplicate_rows,
                    self.duplicate_sends,
                    self.lost,
                    self.unexpected,
                    self.not_delivered,
                    self.claimed_twice,
                    self.delivered_unsent,
                )
            )
        )


def audit_deliveries(
    alert_ids: Iterable[str],
    inbox: Iterable[InboxRow],
    deliveries: Iterable[DeliveryRow],
    sends: Counter[str],
    our_processes: Iterable[str] = (),
) -> DeliveryAudit:
    """Compare what the steps called for (their inbox entries × reachable channels) with the
    delivery rows and with the send log (idempotency key -> times handed to a channel) of our
    workers (`our_processes`: their pids)."""
    alerts = set(alert_ids)
    inbox_rows = list(inbox)
    told = Counter((row.alert_id, row.step, row.recipient_id) for row in inbox_rows)
    expected = {
        (row.alert_id, row.step, row.recipient_id, channel)
        for row in inbox_rows
        for channel in row.channels
    }
    rows = list(deliveries)
    by_key = Counter(row.key for row in rows)
    per_alert = Counter(row.alert_id for row in rows)
    delivered = [row for row in rows if row.state == "delivered"]
    ours = set(our_processes)
    by_us = [row for row in delivered if row.owner.rpartition(":")[2] in ours]
    keys = {row.idempotency_key for row in rows}
    return DeliveryAudit(
        alerts_raised=len(alerts),
        alerts_with_deliveries=len(alerts & set(per_alert)),
        steps=len({(row.alert_id, row.step) for row in inbox_rows}),
        inbox_entries=len(inbox_rows),
        inbox_duplicates=sum(n - 1 for n in told.values() if n > 1),
        deliveries_expected=len(expected),
        delivery_rows=len(rows),
        duplicate_rows=sum(n - 1 for n in by_key.values() if n > 1),
        sends=sum(sends[key] for key in keys),
        duplicate_sends=sum(sends[key] - 1 for key in keys if sends[key] > 1),
        lost=len(expected - set(by_key)),
        unexpected=len(set(by_key) - expected),
        not_delivered=len(rows) - len(delivered),
        claimed_twice=sum(1 for row in rows if row.attempts > 1),
        delivered_unsent=sum(1 for row in by_us if sends[row.idempotency_key] == 0),
        delivered_by_others=len(delivered) - len(by_us),
        per_alert={
            str(n): count
            for n, count in sorted(Counter(per_alert[a] for a in alerts).items(), reverse=True)
        },
    )


def read_send_log(path: Path) -> Counter[str]:
    """Idempotency key -> how many times any worker handed it to a channel."""
    if not path.exists():
        return Counter()
    lines = path.read_text(encoding="utf-8").splitlines()
    return Counter(line.split("\t", 1)[0] for line in lines if line)


def senders_by_process(path: Path) -> dict[str, int]:
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(Counter(line.split("\t")[1] for line in lines if line.count("\t") >= 1))
