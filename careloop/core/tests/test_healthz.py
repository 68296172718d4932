from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db.utils import OperationalError

from careloop.core import clock, heartbeat, worker
from careloop.core.models import WorkerHeartbeat

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


def test_healthz_answers_ok_when_the_database_answers_and_the_worker_beats(
    client, db, fixed_now
) -> None:
    heartbeat.beat(started_at=fixed_now)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["worker"]["status"]) == ("ok", "ok", "ok")
    assert body["worker"]["last_beat"] == NOW.isoformat()
    assert body["worker"]["seconds_since_beat"] == 0.0


def test_healthz_answers_503_when_the_database_does_not(client, db) -> None:
    with mock.patch("careloop.core.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_healthz_answers_503_when_no_worker_ever_beat(client, db) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == {
        "status": "never",
        "last_beat": None,
        "seconds_since_beat": None,
        "stale_after_seconds": 60,
    }


def test_healthz_turns_503_when_the_worker_stops_beating(
    client, db, fixed_now, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    settings.HEALTH_WORKER_STALE_SECONDS = 30
    heartbeat.beat(started_at=fixed_now)
    monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(seconds=30))
    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(seconds=31))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["status"] == "stale"
    assert response.json()["worker"]["seconds_since_beat"] == 31.0
    # The web-only check (for a load balancer) still answers from the database alone.
    assert client.get("/healthz?check=web").json() == {"status": "ok", "database": "ok"}


# Transactional: the loop closes stale connections, which one wrapping transaction would not
# survive on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_each_tick_of_the_worker_loop_beats(monkeypatch: pytest.MonkeyPatch) -> None:
    stop = threading.Event()
    ticks: list[int] = []

    def count() -> int:
        ticks.append(1)
        if len(ticks) == 3:
            stop.set()
        return 1

    monkeypatch.setattr(worker, "_jobs", {"count": count})
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # keep pytest's handlers
    worker.run_forever(0.01, stop)
    [row] = WorkerHeartbeat.objects.all()
    assert row.ticks == 3 and row.pid == os.getpid()


@pytest.mark.django_db(transaction=True)
def test_a_failing_beat_does_not_stop_the_worker() -> None:
    with mock.patch("careloop.core.heartbeat.beat", side_effect=OperationalError("down")):
        worker.record_beat(started_at=NOW)  # logged, not raised
    assert not WorkerHeartbeat.objects.exists()


def test_healthz_is_one_query(client, db, fixed_now, django_assert_num_queries) -> None:
    heartbeat.beat(started_at=fixed_now)
    with django_assert_num_queries(1):
        assert client.get("/healthz").status_code == 200
