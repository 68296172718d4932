"""The two-server measurement's verdict on alert deliveries (benchmarks/harness/deliveries.py):
what counts as a duplicate, a loss, or a delivery another process made."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from benchmarks.harness.deliveries import (
    DeliveryRow,
    InboxRow,
    audit_deliveries,
    read_send_log,
    senders_by_process,
)

ALERTS = ("a1", "a2")
# Step 1 tells two clinicians (e-mail and SMS), step 2 the supervisor (e-mail only).
INBOX = (
    [InboxRow(alert, 1, "c1", ("email", "sms")) for alert in ALERTS]
    + [InboxRow(alert, 1, "c2", ("email", "sms")) for alert in ALERTS]
    + [InboxRow(alert, 2, "s1", ("email",)) for alert in ALERTS]
)


def _rows(owner: str = "host:101") -> list[DeliveryRow]:
    return [
        DeliveryRow(
            row.alert_id,
            row.step,
            row.recipient_id,
            channel,
            "delivered",
            f"k:{row.alert_id}:{row.step}:{row.recipient_id}:{channel}",
            1,
            owner,
        )
        for row in INBOX
        for channel in row.channels
    ]


def _sends(rows: list[DeliveryRow]) -> Counter[str]:
    return Counter(row.idempotency_key for row in rows)


def test_every_expected_delivery_once_is_ok() -> None:
    rows = _rows()
    audit = audit_deliveries(ALERTS, INBOX, rows, _sends(rows), ["101"])
    assert audit.ok
    assert (audit.alerts_raised, audit.deliveries_expected, audit.delivery_rows) == (2, 10, 10)
    assert audit.sends == 10
    assert audit.per_alert == {"5": 2}


def test_a_message_sent_twice_is_a_duplicate() -> None:
    rows = _rows()
    sends = _sends(rows)
    sends[rows[0].idempotency_key] += 1
    audit = audit_deliveries(ALERTS, INBOX, rows, sends, ["101"])
    assert audit.duplicate_sends == 1
    assert not audit.ok


def test_two_rows_for_one_recipient_and_channel_and_a_double_inbox_entry_are_duplicates() -> None:
    rows = _rows()
    twice = [*rows, rows[0]]
    audit = audit_deliveries(ALERTS, [*INBOX, INBOX[0]], twice, _sends(rows), ["101"])
    assert (audit.duplicate_rows, audit.inbox_duplicates) == (1, 1)
    assert not audit.ok


def test_a_missing_row_an_undelivered_row_and_an_alert_without_deliveries_are_losses() -> None:
    rows = _rows()
    missing = rows[1:]
    assert audit_deliveries(ALERTS, INBOX, missing, _sends(rows), ["101"]).lost == 1
    pending = [replace(rows[0], state="pending")]
    audit = audit_deliveries(ALERTS, INBOX, [*pending, *rows[1:]], _sends(rows), ["101"])
    assert audit.not_delivered == 1 and not audit.ok
    silent = audit_deliveries([*ALERTS, "a3"], INBOX, rows, _sends(rows), ["101"])
    assert (silent.alerts_raised, silent.alerts_with_deliveries) == (3, 2)
    assert not silent.ok


def test_a_row_claimed_twice_may_have_gone_out_twice() -> None:
    rows = _rows()
    again = [replace(rows[0], attempts=2), *rows[1:]]
    audit = audit_deliveries(ALERTS, INBOX, again, _sends(rows), ["101"])
    assert audit.claimed_twice == 1
    assert not audit.ok


def test_delivered_by_us_without_a_send_fails_but_another_process_s_delivery_is_only_counted() -> (
    None
):
    rows = _rows()
    unsent = audit_deliveries(ALERTS, INBOX, rows, Counter(), ["101"])
    assert unsent.delivered_unsent == 10 and not unsent.ok
    foreign = _rows(owner="otherhost:999")
    audit = audit_deliveries(ALERTS, INBOX, foreign, Counter(), ["101"])
    assert (audit.delivered_by_others, audit.delivered_unsent) == (10, 0)
    assert audit.ok


def test_the_send_log_is_read_per_key_and_per_process(tmp_path: Path) -> None:
    log = tmp_path / "sends.log"
    log.write_text("k1\t101\temail\nk2\t102\tsms\nk1\t102\temail\n", encoding="utf-8")
    assert read_send_log(log) == Counter({"k1": 2, "k2": 1})
    assert senders_by_process(log) == {"101": 1, "102": 2}
    assert read_send_log(tmp_path / "absent.log") == Counter()
