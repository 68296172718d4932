"""The only writes of bulk export requests: kick-off and cancel (the worker builds; jobs.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.worker import wake
from careloop.fhir.bulk.storage import export_store
from careloop.fhir.models import ExportJob, SmartClient
from careloop.fhir.types import ExportStatus

ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def retention() -> timedelta:
    return timedelta(seconds=settings.FHIR_BULK_EXPORT_RETENTION_SECONDS)


def has_active_export(client: SmartClient) -> bool:
    return ExportJob.objects.filter(client=client, status__in=ACTIVE).exists()


def request_export(
    *,
    client: SmartClient,
    resource_types: list[str],
    since: datetime | None,
    request_url: str,
    source_ip: str | None,
) -> ExportJob:
    now = clock.now()
    with transaction.atomic():
        job = ExportJob.objects.create(
            service_id=client.service_id,
            client=client,
            resource_types=resource_types,
            since=since,
            request_url=request_url[:2000],
            requested_at=now,
            expires_at=now + retention(),
        )
        record_event(
            actor=None,
            action=AuditAction.BULK_EXPORT_REQUESTED,
            service_id=client.service_id,
            purpose=client.purpose,
            obj=("ExportJob", job.id),
            source_ip=source_ip,
            detail={
                "client_id": client.application.client_id,
                "types": resource_types,
                "since": since.isoformat() if since else None,
            },
        )
        wake()  # an idle worker starts building at commit, not at its next poll
    return job


def cancel_export(job: ExportJob, *, source_ip: str | None) -> None:
    """Cancelled jobs lose their files at once; a running build notices and stops."""
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().get(id=job.id)
        if locked.status == ExportStatus.CANCELLED:
            return
        locked.status = ExportStatus.CANCELLED
        locked.finished_at = clock.now()
        locked.save(update_fields=["status", "finished_at"])
        export_store().delete(locked)
        record_event(
            actor=None,
            action=AuditAction.BULK_EXPORT_CANCELLED,
            service_id=locked.service_id,
            purpose=locked.client.purpose,
            obj=("ExportJob", locked.id),
            source_ip=source_ip,
            detail={"client_id": locked.client.application.client_id},
        )
