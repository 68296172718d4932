"""An idle worker ticks when woken (PostgreSQL LISTEN/NOTIFY), not only when its poll ends; a
wake inside a transaction that rolls back wakes nobody."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from careloop.core import worker

POLL_SECONDS = 30.0  # far longer than the test: any prompt tick after the first is a wake-up


def _ticks_after(action: object, monkeypatch: pytest.MonkeyPatch) -> int:
    ticked = threading.Event()
    ticks: list[float] = []

    def count() -> int:
        ticks.append(time.monotonic())
        ticked.set()
        return 0

    monkeypatch.setattr(worker, "_jobs", {"count": count})
    monkeypatch.setattr(worker, "record_beat", lambda started_at: None)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(POLL_SECONDS, stop))
    thread.start()
    try:
        assert ticked.wait(10)
        time.sleep(0.5)  # idle now, listening
        action()  # type: ignore[operator]
        time.sleep(2)
        return len(ticks) - 1
    finally:
        stop.set()
        worker.wake()  # end the idle wait at once
        thread.join(timeout=POLL_SECONDS + 5)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
def test_a_committed_wake_ticks_an_idle_worker_at_once(
    monkeypatch: pytest.MonkeyPatch, transactional_db: None
) -> None:
    def committed_wake() -> None:
        with transaction.atomic():
            worker.wake()

    assert _ticks_after(committed_wake, monkeypatch) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
def test_a_rolled_back_wake_wakes_nobody(
    monkeypatch: pytest.MonkeyPatch, transactional_db: None
) -> None:
    class RolledBack(Exception):
        pass

    def rolled_back_wake() -> None:
        try:
            with transaction.atomic():
                worker.wake()
                raise RolledBack
        except RolledBack:
            pass

    assert _ticks_after(rolled_back_wake, monkeypatch) == 0
