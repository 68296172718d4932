"""The background worker: a loop that runs every registered job, on any number of machines.

Jobs are registered by each domain's AppConfig.ready(), so core never imports a domain. Each job
claims its own work with SELECT ... FOR UPDATE SKIP LOCKED, so several workers can run side by
side on PostgreSQL; on SQLite (the embedded default) one worker runs inside `careloop serve`.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from typing import Any

from django.db import close_old_connections, connection, connections

from careloop.core import clock

log = logging.getLogger(__name__)

Job = Callable[[], int]
_jobs: dict[str, Job] = {}
WAKE_CHANNEL = "careloop_worker_wake"


def register_job(name: str, job: Job) -> None:
    """Add a job the worker runs on every tick; it returns how many items it handled."""
    _jobs[name] = job


def registered_jobs() -> dict[str, Job]:
    return dict(_jobs)


def run_once() -> dict[str, int]:
    """Run every job once; a failing job is logged and does not stop the others."""
    handled: dict[str, int] = {}
    for name, job in _jobs.items():
        close_old_connections()
        try:
            handled[name] = job()
        except Exception:
            log.exception("worker job %s failed; it will be retried on the next tick", name)
            handled[name] = -1
    return handled


def wake() -> None:
    """Ask idle workers to tick now instead of at the end of their poll interval, for work a
    user waits on (a bulk export). On PostgreSQL a NOTIFY, delivered when the caller's
    transaction commits (never if it rolls back); elsewhere nothing: the next poll finds it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {WAKE_CHANNEL}")


class _Idle:
    """How an idle worker waits: until `stop`, a wake() (PostgreSQL LISTEN on its own
    connection) or `poll_seconds`, whichever comes first. Without PostgreSQL, or if listening
    fails, it waits `poll_seconds` (the poll stays the guarantee; a wake only shortens it)."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.listener: Any = None

    def wait(self, seconds: float) -> None:
        listener = self._listening()
        if listener is None:
            self.stop.wait(seconds)
            return
        try:
            for _ in listener.notifies(timeout=seconds, stop_after=1):
                pass
            for _ in listener.notifies(timeout=0):  # several wakes: one tick serves them all
                pass
        except Exception:
            log.warning("worker wake-up listener failed; polling only", exc_info=True)
            self.close()
            self.stop.wait(seconds)

    def _listening(self) -> Any:
        if self.listener is not None or connections["default"].vendor != "postgresql":
            return self.listener
        import psycopg  # PostgreSQL only

        try:
            params = connections["default"].get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            self.listener = psycopg.connect(**params, autocommit=True)
            self.listener.execute(f"LISTEN {WAKE_CHANNEL}")
        except Exception:
            log.warning("worker cannot listen for wake-ups; polling only", exc_info=True)
            self.close()
        return self.listener

    def close(self) -> None:
        if self.listener is not None:
            try:
                self.listener.close()
            except Exception:
                log.debug("closing the wake-up listener failed", exc_info=True)
        self.listener = None


def run_forever(poll_seconds: float, stop: threading.Event | None = None) -> None:
    """Tick until SIGTERM/SIGINT (or `stop`); when a tick found work, tick again at once."""
    stop = stop or threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.info("worker stopping on signal %s", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    log.info("worker started with jobs: %s", ", ".join(sorted(_jobs)))
    started_at = clock.now()
    idle = _Idle(stop)
    try:
        while not stop.is_set():
            handled = run_once()
            record_beat(started_at)
            if not any(count > 0 for count in handled.values()):
                idle.wait(poll_seconds)
    finally:
        idle.close()


def record_beat(started_at: datetime) -> None:
    """Tell /healthz this worker is alive (HZ-025); a failed beat never stops the alert jobs."""
    from careloop.core.heartbeat import beat  # models: imported once the apps are ready

    close_old_connections()
    try:
        beat(started_at)
    except Exception:
        log.exception("worker heartbeat failed; /healthz will report the worker as stale")
