"""`careloop fhir_bulk_benchmark --service SLUG`: time a full bulk export of a service.

Builds every exportable type exactly as the worker does (consent filter, mappers, NDJSON parts
written to the store, audit events) inside one transaction that is then rolled back, so the
database is left as it was. Prints resources per second.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from careloop.core.models import Service
from careloop.fhir.bulk.generate import EXPORTABLE_TYPES
from careloop.fhir.bulk.jobs import build_export, claim_export
from careloop.fhir.bulk.services import request_export
from careloop.fhir.models import ClientKind, ExportJob, ExportPart
from careloop.fhir.smart.clients import register_client


class Command(BaseCommand):
    help = "Measure bulk $export throughput on a service's data (rolled back afterwards)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--service", required=True, help="service slug")
        parser.add_argument("--purpose", default="TREAT")

    def handle(self, *args: Any, **options: Any) -> None:
        service = Service.objects.filter(slug=options["service"]).first()
        if service is None:
            raise CommandError(f"no service with slug {options['service']!r}")
        with transaction.atomic():
            registered = register_client(
                service=service, name="benchmark", kind=ClientKind.SYSTEM,
                redirect_uris=[], purpose=options["purpose"],
            )  # fmt: skip
            request_export(
                client=registered.client, resource_types=list(EXPORTABLE_TYPES), since=None,
                request_url="benchmark", source_ip=None,
            )  # fmt: skip
            job = claim_export()
            assert job is not None
            started = time.perf_counter()
            build_export(job)
            elapsed = time.perf_counter() - started
            job = ExportJob.objects.get(id=job.id)
            parts = ExportPart.objects.filter(job=job)
            characters = sum(len(c) for c in parts.values_list("content", flat=True))
            self.stdout.write(
                f"status {job.status}: {job.resources_exported} resources of "
                f"{job.patients_exported} patients in {parts.count()} files "
                f"({characters / 1e6:.1f} MB NDJSON) in {elapsed:.2f} s = "
                f"{job.resources_exported / elapsed:,.0f} resources/s"
            )
            transaction.set_rollback(True)
