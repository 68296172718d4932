"""`careloop serve`: the web server (granian, WSGI) and, with --with-worker, the worker too.

The embedded default (`make run`) runs both as child processes of this one command and stops both
when either stops. In production run `careloop serve` and `careloop worker` as separate services.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def _granian_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    # Sync Django: a few threads per process, and no more requests in flight than threads.
    options = {
        "--interface": "wsgi",
        "--host": host,
        "--port": str(port),
        "--workers": str(workers),
        "--blocking-threads": str(threads),
        "--backpressure": str(threads),
    }
    flags = [part for pair in options.items() for part in pair]
    return [sys.executable, "-m", "granian", *flags, "--no-ws", "config.wsgi:application"]


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
        children = [
            subprocess.Popen(  # noqa: S603  # our own interpreter and fixed arguments
                _granian_command(
                    options["host"], options["port"], options["workers"], options["threads"]
                )
            )
        ]
        if options["with_worker"]:
            worker = [sys.executable, "-m", "careloop.core.cli", "worker"]
            children.append(subprocess.Popen(worker))  # noqa: S603  # fixed arguments
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(f"Careloop is starting on {url}  (sign in at {url}/accounts/login/)")
        self.stdout.write("Ctrl-C stops the web server and the worker.")
        self._supervise(children)

    def _supervise(self, children: list[subprocess.Popen[bytes]]) -> None:
        """Wait until any child exits or we are asked to stop; then stop all of them."""
        stopping = False

        def _stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        failed = [child.args for child in children if child.returncode not in (0, -15, None)]
        if failed and not stopping:
            raise CommandError(f"a child process stopped unexpectedly: {failed[0]!r}")
