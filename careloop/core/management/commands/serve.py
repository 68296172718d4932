"""`careloop serve`: the web server (granian, WSGI) and, with --with-worker, the worker too.

The embedded default (`make run`) runs both as child processes of this one command, which
supervises them (HZ-025): a child that dies, whatever the cause, is logged and started again after
an exponential back-off (1 s doubling to at most 60 s; back to 1 s once a child has run for a
minute), so one crash never leaves the service without its web server or its alert worker. On
Linux it adopts its children's orphans (a child subreaper): the worker processes of a killed
granian master are ended before the master is restarted, so the port is free again.
Granian also respawns its own crashed worker processes (--respawn-failed-workers); this
supervisor covers the granian master itself and the alert worker. SIGTERM or Ctrl-C stops them
all. In production run `careloop serve` and `careloop worker` as separate supervised services
(systemd, Kubernetes); the supervision here is for the embedded default and defence in depth.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from django.core.management.base import BaseCommand, CommandError, CommandParser

log = structlog.get_logger(__name__)

FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 60.0
# A child that ran this long before dying was healthy: its next restart starts the back-off over.
STABLE_AFTER_SECONDS = 60.0
POLL_SECONDS = 0.2
STOP_TIMEOUT_SECONDS = 15.0
_PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def _granian_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    # Sync Django: a few threads per process, and no more requests in flight than threads.
    options = {
        "--interface": "wsgi",
        "--host": host,
        "--port": str(port),
        "--workers": str(workers),
        "--blocking-threads": str(threads),
        "--backpressure": str(threads),
        # Granian itself replaces a worker process that dies (its master stays up).
        "--respawn-interval": "1",
    }
    flags = [part for pair in options.items() for part in pair]
    return [
        sys.executable,
        "-m",
        "granian",
        *flags,
        "--respawn-failed-workers",
        "--no-ws",
        "config.wsgi:application",
    ]


def backoff_seconds(failures: int) -> float:
    """1, 2, 4, … seconds after the 1st, 2nd, 3rd consecutive failure; never above the cap."""
    delay: float = FIRST_BACKOFF_SECONDS * 2.0 ** max(failures - 1, 0)
    return min(delay, MAX_BACKOFF_SECONDS)


@dataclass
class Child:
    """One supervised process (it stays in this command's process group, so an operator or a
    harness that signals the group reaches every process)."""

    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    restarts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)  # noqa: S603  # our interpreter, fixed args
        self.started = time.monotonic()
        self.restart_at = None
        log.info("child_started", child=self.name, pid=self.process.pid, restarts=self.restarts)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def send(self, signum: int) -> None:
        if self.running():
            assert self.process is not None
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signum)


def _become_subreaper() -> bool:
    """Linux: orphans of a dead child (granian's own worker processes, which outlive a killed
    master and keep the port) are re-parented to this process, so it can end them."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _own_children() -> set[int]:
    """Live direct children of this process (from /proc; empty where there is none)."""
    found: set[int] = set()
    for path in Path("/proc/self/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.update(int(pid) for pid in path.read_text().split())
    return found


class Supervisor:
    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.stopping = False

    def run(self) -> None:
        _become_subreaper()
        for child in self.children:
            child.start()
        while not self.stopping:
            now = time.monotonic()
            for child in self.children:
                self._tend(child, now)
            time.sleep(POLL_SECONDS)
        self.stop()

    def _tend(self, child: Child, now: float) -> None:
        if child.running() or self.stopping:
            return
        if child.restart_at is None:  # it has just died: schedule the restart
            assert child.process is not None
            self._end_orphans()  # e.g. granian's workers, still holding the port
            stable = now - child.started >= STABLE_AFTER_SECONDS
            child.failures = 1 if stable else child.failures + 1
            delay = backoff_seconds(child.failures)
            child.restart_at = now + delay
            log.error(
                "child_died",
                child=child.name,
                pid=child.process.pid,
                returncode=child.process.returncode,
                consecutive_failures=child.failures,
                restart_in_seconds=delay,
            )
        elif now >= child.restart_at:
            self._end_orphans()  # again: /proc's child lists are only a snapshot
            child.restarts += 1
            child.start()

    def _end_orphans(self) -> None:
        """Kill and reap every child of ours that is not a supervised one (an adopted orphan)."""
        ours = {child.process.pid for child in self.children if child.process is not None}
        for pid in _own_children() - ours:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                log.warning("orphan_ended", pid=pid)

    def stop(self) -> None:
        for child in self.children:
            child.send(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log.warning("child_killed_after_timeout", child=child.name)
                child.send(signal.SIGKILL)
                child.process.wait(timeout=5)
        self._end_orphans()
        log.info("supervisor_stopped", children=[child.name for child in self.children])


class Command(BaseCommand):
    help = "Serve the web app with granian (and the background worker with --with-worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--with-worker", action="store_true", help="also run the worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {options['port']}")
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1")
        granian = _granian_command(
            options["host"], options["port"], options["workers"], options["threads"]
        )
        children = [Child("web", granian)]
        if options["with_worker"]:
            children.append(Child("worker", [sys.executable, "-m", "careloop.core.cli", "worker"]))
        supervisor = Supervisor(children)

        def _stop(signum: int, frame: object) -> None:
            supervisor.stopping = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(f"Careloop is starting on {url}  (sign in at {url}/accounts/login/)")
        self.stdout.write("Ctrl-C stops the web server and the worker.")
        supervisor.run()
