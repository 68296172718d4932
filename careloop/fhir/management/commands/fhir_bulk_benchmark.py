"""`careloop fhir_bulk_benchmark --service SLUG`: time a full bulk export of a service.

Builds every exportable type exactly as the worker does (consent filter, mappers, NDJSON parts
written to the store, audit events) inside one transaction that is then rolled back, so the
database is left as it was. Prints resources per second of wall time, and per CPU-second (the
command's own CPU time plus, when PostgreSQL runs on this host, its backend's), with the load
average: on a shared machine the wall figure swings with the load, the CPU figure does not.

The one transaction holds the service's audit chain head (the kick-off's audit event locks it)
until the rollback, so every audited request of that service waits for the whole run: do not
run it against a population others are measuring (the worker's own build commits part by part).
"""

from __future__ import annotations

import os
import time
from argparse import ArgumentParser
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from careloop.core.selectors import service_with_slug
from careloop.fhir.bulk.generate import EXPORTABLE_TYPES
from careloop.fhir.bulk.jobs import build_export, claim_export
from careloop.fhir.bulk.services import request_export
from careloop.fhir.models import ExportJob, ExportPart
from careloop.fhir.smart.clients import register_client
from careloop.fhir.types import ClientKind


class Command(BaseCommand):
    help = "Measure bulk $export throughput on a service's data (rolled back afterwards)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--service", required=True, help="service slug")
        parser.add_argument("--purpose", default="TREAT")
        parser.add_argument(
            "--since",
            type=datetime.fromisoformat,
            default=None,
            help="export only what changed after this instant (as _since), e.g. 2026-11-24T00:00Z",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        service = service_with_slug(options["service"])
        if service is None:
            raise CommandError(f"no service with slug {options['service']!r}")
        with transaction.atomic():
            registered = register_client(
                service=service, name="benchmark", kind=ClientKind.SYSTEM,
                redirect_uris=[], purpose=options["purpose"],
            )  # fmt: skip
            request_export(
                client=registered.client, resource_types=list(EXPORTABLE_TYPES),
                since=options["since"], request_url="benchmark", source_ip=None,
            )  # fmt: skip
            job = claim_export()
            assert job is not None
            backend = _backend_cpu_reader()
            backend_before = backend() if backend else 0.0
            started, cpu_started = time.perf_counter(), time.process_time()
            build_export(job)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            database_cpu = backend() - backend_before if backend else None
            job = ExportJob.objects.get(id=job.id)
            parts = ExportPart.objects.filter(job=job)
            characters = sum(len(c) for c in parts.values_list("content", flat=True))
            self.stdout.write(
                f"status {job.status}: {job.resources_exported} resources of "
                f"{job.patients_exported} patients in {parts.count()} files "
                f"({characters / 1e6:.1f} MB NDJSON) in {elapsed:.2f} s = "
                f"{job.resources_exported / elapsed:,.0f} resources/s"
            )
            both = cpu + (database_cpu or 0.0)
            database = "n/a" if database_cpu is None else f"{database_cpu:.2f} s"
            self.stdout.write(
                f"CPU: this process {cpu:.2f} s, database backend {database} = "
                f"{job.resources_exported / both:,.0f} resources per CPU-second; "
                f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
            )
            transaction.set_rollback(True)


def _backend_cpu_reader() -> Callable[[], float] | None:
    """A function giving the PostgreSQL backend's CPU seconds so far, if it runs on this host
    (its /proc entry is readable); else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    stat = f"/proc/{row[0]}/stat" if row else ""

    def seconds() -> float:
        with open(stat, encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    try:
        seconds()
    except (OSError, ValueError, IndexError):
        return None  # another host, or not Linux
    return seconds
