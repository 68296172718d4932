"""`careloop worker`: run the background jobs until stopped (run several on PostgreSQL)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from careloop.core import clock, worker


class Command(BaseCommand):
    help = "Run the background worker (alert notification, message delivery) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            started_at = clock.now()
            for name, handled in worker.run_once().items():
                self.stdout.write(f"{name}: {handled}")
            worker.record_beat(started_at)
            return
        worker.run_forever(settings.WORKER_POLL_SECONDS)
