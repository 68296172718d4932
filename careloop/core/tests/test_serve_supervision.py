"""`careloop serve --with-worker` survives hostile input and dead children (HZ-025), live.

A real server on a free loopback port: a depth-10,000 body is a 400 and the server keeps serving;
the alert worker killed with SIGKILL is restarted and /healthz recovers; a stuck worker turns
/healthz 503; the granian master killed is restarted too; SIGTERM still stops everything.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import requests

from careloop.core.management.commands.serve import MAX_BACKOFF_SECONDS, backoff_seconds


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(parent: int) -> dict[int, str]:
    """Direct children of `parent` with their command lines (from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found[int(entry.name)] = cmdline
    return found


def _child(parent: int, marker: str) -> int | None:
    pids = [pid for pid, cmd in _children(parent).items() if marker in cmd]
    return pids[0] if pids else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(what: str, check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (requests.ConnectionError, requests.ReadTimeout):
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff_seconds(50) == MAX_BACKOFF_SECONDS == 60.0


@pytest.mark.slow
def test_serve_survives_deep_json_and_restarts_dead_children(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "CARELOOP_ENV": "development",
        "CARELOOP_VAR_DIR": str(tmp_path),
        "HEALTH_WORKER_STALE_SECONDS": "5",
        "WORKER_POLL_MILLISECONDS": "200",
    }
    cli = [sys.executable, "-m", "careloop.core.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, timeout=120)  # noqa: S603
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [*cli, "serve", "--port", str(port), "--workers", "1", "--with-worker"], env=env
    )
    seen: set[int] = set()

    def remember() -> None:
        for pid in _children(server.pid):
            seen.update({pid, *_children(pid)})

    def health() -> requests.Response:
        return requests.get(f"{base}/healthz", timeout=10)

    def beat_after(moment: datetime) -> bool:
        answer = health()
        last = answer.json().get("worker", {}).get("last_beat")
        return answer.status_code == 200 and datetime.fromisoformat(last) > moment

    try:
        _wait_for("a healthy server", lambda: health().status_code == 200)
        remember()

        deep = '{"resourceType": "QuestionnaireResponse", "item": ' + "[" * 10_000 + "]" * 10_000
        for path, content_type in (
            ("/fhir/r4/QuestionnaireResponse", "application/fhir+json"),
            ("/api/assessments", "application/json"),
        ):
            answer = requests.post(
                base + path, data=deep + "}", headers={"Content-Type": content_type}, timeout=10
            )
            assert answer.status_code == 400, (path, answer.text[:200])
            assert "too deep" in answer.text
        assert health().status_code == 200  # still serving, worker still beating

        # The alert worker dies: it is started again and beats again.
        worker = _child(server.pid, "careloop.core.cli worker")
        assert worker is not None
        killed_at = datetime.now().astimezone()
        os.kill(worker, signal.SIGKILL)
        _wait_for(
            "a new worker",
            lambda: _child(server.pid, "careloop.core.cli worker") not in (None, worker),
        )
        _wait_for("a beat from the new worker", lambda: beat_after(killed_at))
        remember()

        # A stuck worker (stopped, not dead) is what /healthz is for: 503, then back to 200.
        worker = _child(server.pid, "careloop.core.cli worker")
        assert worker is not None
        os.kill(worker, signal.SIGSTOP)
        try:
            _wait_for("/healthz to turn 503", lambda: health().status_code == 503, timeout=30)
            assert health().json()["worker"]["status"] == "stale"
        finally:
            os.kill(worker, signal.SIGCONT)
        _wait_for("/healthz to recover", lambda: health().status_code == 200, timeout=30)

        # The granian master dies: the supervisor starts a new one on the same port.
        web = _child(server.pid, "granian")
        assert web is not None
        old_web_workers = set(_children(web))
        assert old_web_workers
        os.kill(web, signal.SIGKILL)
        # Granian's own workers outlive their master (adopted by the supervisor, still holding
        # the port): the supervisor must end them, then start a new master.
        _wait_for(
            "the old master's workers to be ended",
            lambda: not [pid for pid in old_web_workers if _alive(pid)],
            timeout=30,
        )
        _wait_for(
            "a new web server",
            lambda: _child(server.pid, "granian") not in (None, web, *old_web_workers),
        )
        _wait_for("the new web server to answer", lambda: health().status_code == 200)
        remember()

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=40) == 0
    finally:
        if server.poll() is None:
            remember()
            server.kill()
            server.wait(timeout=30)
        survivors = [pid for pid in seen if _alive(pid)]
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
    assert not survivors, "a child outlived the supervisor"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/healthz", timeout=2)
