"""`careloop serve --with-worker` really serves (granian) and stops cleanly; the worker loop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from careloop.core import worker


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_with_worker_answers_healthz_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "CARELOOP_ENV": "development",
        "CARELOOP_VAR_DIR": str(tmp_path),
    }
    cli = [sys.executable, "-m", "careloop.core.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, timeout=120)  # noqa: S603
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [*cli, "serve", "--port", str(port), "--workers", "1", "--with-worker"],
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=20)
                if answer.status_code == 200:  # 503 until the worker's first heartbeat
                    break
            except (requests.ConnectionError, requests.ReadTimeout):
                pass
            time.sleep(0.3)
        assert answer is not None, "server never answered"
        body = answer.json()
        assert (body["status"], body["database"], body["worker"]["status"]) == ("ok", "ok", "ok")
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_a_failing_job_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    ran: list[str] = []

    def broken() -> int:
        raise RuntimeError("boom")

    def fine() -> int:
        ran.append("fine")
        return 3

    monkeypatch.setattr(worker, "_jobs", {"broken": broken, "fine": fine})
    assert worker.run_once() == {"broken": -1, "fine": 3}
    assert ran == ["fine"]


def test_run_forever_stops_when_asked(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    ticks: list[int] = []

    def count() -> int:
        ticks.append(1)
        return 0

    monkeypatch.setattr(worker, "_jobs", {"count": count})
    # The beat would open a connection of its own in this thread (test_healthz covers it).
    monkeypatch.setattr(worker, "record_beat", lambda started_at: None)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(0.01, stop))
    thread.start()
    time.sleep(0.1)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(ticks) >= 2
