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

from django.db import close_old_connections

from careloop.core import clock

log = logging.getLogger(__name__)

Job = Callable[[], int]
_jobs: dict[str, Job] = {}


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
    while not stop.is_set():
        handled = run_once()
        record_beat(started_at)
        if not any(count > 0 for count in handled.values()):
            stop.wait(poll_seconds)


def record_beat(started_at: datetime) -> None:
    """Tell /healthz this worker is alive (HZ-025); a failed beat never stops the alert jobs."""
    from careloop.core.heartbeat import beat  # models: imported once the apps are ready

    close_old_connections()
    try:
        beat(started_at)
    except Exception:
        log.exception("worker heartbeat failed; /healthz will report the worker as stale")
