"""The worker's side of bulk export: claim a queued job, build its NDJSON parts, finish it;
and delete exports past their retention.

A claim is a lease: a worker that dies mid-build leaves a RUNNING job whose lease runs out, and
the next claim starts it over (its parts are deleted first). Each part is written in its own
transaction, so a large export never holds one long transaction; cancellation and the lease
are checked between parts.
"""

from __future__ import annotations

import logging
import uuid
from bisect import bisect_left
from datetime import timedelta
from itertools import accumulate

from django.db import transaction
from django.db.models import Q

from careloop.audit.services import record_event, record_patient_reads
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.worker import register_job
from careloop.fhir.bulk.generate import ExportScope, batches
from careloop.fhir.bulk.services import retention
from careloop.fhir.bulk.storage import ExportStore, export_store
from careloop.fhir.canonical import canonical_base, outbound_text
from careloop.fhir.mapping.canonical import DEFAULT_BASE
from careloop.fhir.models import ExportJob
from careloop.fhir.types import ExportStatus

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
PART_MAX_RESOURCES = 10_000
PART_MAX_CHARACTERS = 16 * 1024 * 1024


class _Stopped(Exception):
    """The job was cancelled, or its lease passed to another worker."""


def claim_export() -> ExportJob | None:
    now = clock.now()
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=ExportStatus.QUEUED) | Q(status=ExportStatus.RUNNING, lease_until__lt=now)
            )
            .order_by("requested_at")
            .first()
        )
        if job is None:
            return None
        job.status = ExportStatus.RUNNING
        job.lease_until = now + LEASE
        job.started_at = job.transaction_time = now
        job.progress = "starting"
        job.save(
            update_fields=["status", "lease_until", "started_at", "transaction_time", "progress"]
        )
    return job


class _PartWriter:
    """Collects NDJSON lines of one type; every full part is stored and renews the lease."""

    def __init__(self, store: ExportStore, job: ExportJob, resource_type: str) -> None:
        self.store, self.job, self.resource_type = store, job, resource_type
        self.lines: list[str] = []
        self.characters = 0
        self.sequence = 0
        self.written = 0

    def add(self, lines: list[str]) -> None:
        """Append `lines`, storing a part as soon as it holds PART_MAX_RESOURCES lines or
        PART_MAX_CHARACTERS characters (the line that reaches either limit is its last), as a
        line-by-line loop would, but a whole run of lines at a time."""
        start = 0
        while start < len(lines):
            room = PART_MAX_RESOURCES - len(self.lines)
            run = lines[start : start + room]
            # characters held after each line of the run; the first to reach the limit ends it
            held = list(accumulate((len(line) + 1 for line in run), initial=self.characters))
            end = bisect_left(held, PART_MAX_CHARACTERS, lo=1)
            if end < len(held):
                run = run[:end]
            self.lines += run
            self.characters = held[len(run)]
            start += len(run)
            if len(self.lines) >= PART_MAX_RESOURCES or self.characters >= PART_MAX_CHARACTERS:
                self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        self.sequence += 1
        self.written += len(self.lines)
        progress = f"{self.resource_type}: {self.written} resources written"
        renewed = ExportJob.objects.filter(id=self.job.id, status=ExportStatus.RUNNING).update(
            lease_until=clock.now() + LEASE, progress=progress
        )
        if not renewed:
            raise _Stopped
        self.store.write(self.job, self.resource_type, self.sequence, self.lines)
        self.lines, self.characters = [], 0


def build_export(job: ExportJob, store: ExportStore | None = None) -> None:
    store = store or export_store()
    store.delete(job)  # a re-claimed job starts over
    scope = ExportScope(job.service_id, job.client.purpose, job.since)
    patients: set[uuid.UUID] = set()
    total = 0
    rebased = canonical_base() != DEFAULT_BASE  # lines are written under DEFAULT_BASE
    try:
        for resource_type in job.resource_types:
            writer = _PartWriter(store, job, resource_type)
            for batch in batches(scope, resource_type):
                # Careloop's URLs under the configured canonical base, as in every reply.
                writer.add(
                    [outbound_text(line) for line in batch.lines] if rebased else batch.lines
                )
                patients |= batch.patient_ids
            writer.flush()
            total += writer.written
    except _Stopped:
        log.info("bulk export %s stopped (cancelled or re-claimed)", job.id)
        if ExportJob.objects.filter(id=job.id, status=ExportStatus.CANCELLED).exists():
            store.delete(job)
        return
    except Exception:
        log.exception("bulk export %s failed", job.id)
        store.delete(job)
        ExportJob.objects.filter(id=job.id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED,
            finished_at=clock.now(),
            error="the export could not be built; the server log has the details",
        )
        return
    _finish(job, total, patients)


def _finish(job: ExportJob, total: int, patients: set[uuid.UUID]) -> None:
    """Completed and audited together: one event per patient whose data left the service."""
    now = clock.now()
    with transaction.atomic():
        done = ExportJob.objects.filter(id=job.id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.COMPLETED,
            finished_at=now,
            expires_at=now + retention(),
            progress="complete",
            resources_exported=total,
            patients_exported=len(patients),
        )
        if not done:
            return
        client = job.client
        record_patient_reads(
            actor=None,  # type: ignore[arg-type]  # a system client acts for no person
            action=AuditAction.BULK_PATIENT_EXPORTED,
            service_id=job.service_id,
            patient_ids=sorted(patients),
            purpose=client.purpose,  # type: ignore[arg-type]  # HL7 PurposeOfUse code
        )
        record_event(
            actor=None,
            action=AuditAction.BULK_EXPORT_COMPLETED,
            service_id=job.service_id,
            purpose=client.purpose,
            obj=("ExportJob", job.id),
            detail={
                "client_id": client.application.client_id,
                "resources": total,
                "patients": len(patients),
            },
        )


def run_exports() -> int:
    """Worker job: build one claimed export per tick (the loop ticks again at once on work)."""
    job = claim_export()
    if job is None:
        return 0
    build_export(job)
    return 1


def expire_exports() -> int:
    """Worker job: delete finished exports (and their files) past their retention."""
    store = export_store()
    expired = ExportJob.objects.filter(expires_at__lt=clock.now()).exclude(
        status=ExportStatus.RUNNING
    )
    count = 0
    for job in expired.order_by("expires_at")[:100]:
        store.delete(job)
        job.delete()
        count += 1
    return count


def register_bulk_jobs() -> None:
    register_job("fhir.build_bulk_exports", run_exports)
    register_job("fhir.expire_bulk_exports", expire_exports)
