"""Bulk Data endpoints: kick-off (Group/{id}/$export), status (bulkstatus/{job}), files
(bulkfiles/{job}/{file}). Only a system client's bearer token gets past `_system_client`; the
Group is the client's own service, and a job or file of another client is 404."""

from __future__ import annotations

import uuid
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from ninja import Router

from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.core.errors import NotFound
from careloop.core.http import client_ip
from careloop.fhir.bulk.generate import EXPORTABLE_TYPES
from careloop.fhir.bulk.services import (
    cancel_export,
    has_active_export,
    request_export,
)
from careloop.fhir.bulk.storage import export_store
from careloop.fhir.mapping.common import instant
from careloop.fhir.mapping.operation_outcome import operation_outcome
from careloop.fhir.models import ExportJob, SmartClient
from careloop.fhir.rest.endpoints import ERRORS, FhirResource
from careloop.fhir.rest.http import base_url, fhir_response, outcome_response
from careloop.fhir.services import FhirError
from careloop.fhir.smart.auth import SmartAuthError, token_caller
from careloop.fhir.smart.scopes import granted
from careloop.fhir.types import ExportStatus

NDJSON = "application/fhir+ndjson"
OUTPUT_FORMATS = frozenset({NDJSON, "application/ndjson", "ndjson"})
KICK_OFF_PARAMETERS = frozenset({"_type", "_since", "_outputFormat"})
RETRY_AFTER_SECONDS = "2"

bulk_router = Router(tags=["bulk export"])


def _system_client(request: HttpRequest) -> tuple[SmartClient, tuple[Any, ...]]:
    caller = token_caller(request)
    if caller is None or not caller.is_system:
        raise SmartAuthError(
            403, "bulk export needs a system client's bearer token", "insufficient_scope"
        )
    return caller.client, caller.scopes


def _values(request: HttpRequest, name: str) -> list[str]:
    return [part for value in request.GET.getlist(name) for part in value.split(",") if part]


def _since(request: HttpRequest) -> datetime | None:
    values = request.GET.getlist("_since")
    if not values:
        return None
    try:
        moment = datetime.fromisoformat(values[-1])
    except ValueError:
        raise FhirError("_since must be a FHIR instant, e.g. 2026-01-01T00:00:00Z", 400) from None
    if moment.tzinfo is None:
        raise FhirError("_since needs a time zone (e.g. Z)", 400)
    return moment


def _types(request: HttpRequest, scopes: tuple[Any, ...]) -> list[str]:
    asked = list(dict.fromkeys(_values(request, "_type")))
    unknown = [t for t in asked if t not in EXPORTABLE_TYPES]
    if unknown:
        raise FhirError(
            f"_type {', '.join(unknown)} cannot be exported; one of {', '.join(EXPORTABLE_TYPES)}",
            400,
        )
    allowed = [t for t in EXPORTABLE_TYPES if granted(scopes, "system", t, "r")]
    if asked:
        refused = [t for t in asked if t not in allowed]
        if refused:
            raise SmartAuthError(
                403, f"the token's scopes do not allow {', '.join(refused)}", "insufficient_scope"
            )
        return asked
    if not allowed:
        raise SmartAuthError(
            403, "the token's scopes allow no exportable type", "insufficient_scope"
        )
    return allowed


def _check_kick_off(request: HttpRequest) -> None:
    prefer = request.headers.get("Prefer", "").replace(" ", "").split(",")
    if "respond-async" not in prefer:
        raise FhirError("bulk export is asynchronous: send the header Prefer: respond-async", 400)
    accept = request.headers.get("Accept", "application/fhir+json")
    if not any(kind in accept for kind in ("application/fhir+json", "application/json", "*/*")):
        raise FhirError("Accept must be application/fhir+json", 400)
    unsupported = sorted(set(request.GET) - KICK_OFF_PARAMETERS)
    if unsupported and "handling=lenient" not in prefer:
        raise FhirError(f"unsupported $export parameter(s): {', '.join(unsupported)}", 400)
    for output_format in request.GET.getlist("_outputFormat"):
        if output_format not in OUTPUT_FORMATS:
            raise FhirError(f"_outputFormat {output_format!r}: only {NDJSON} is produced", 400)


@bulk_router.get(
    "/Group/{group_id}/$export",
    response={202: FhirResource, **ERRORS, 429: FhirResource},
    summary="Kick off a bulk export of a service (the Group id is the service id)",
    description=(
        "FHIR Bulk Data Access v2, for system clients only. Headers: Prefer: respond-async, "
        "Accept: application/fhir+json. Parameters: _type (comma-separated), _since (instant), "
        "_outputFormat (application/fhir+ndjson). Answers 202 with Content-Location: the status "
        "URL."
    ),
)
def kick_off(request: HttpRequest, group_id: str) -> HttpResponse:
    client, scopes = _system_client(request)
    if group_id != str(client.service_id):
        raise NotFound(f"Group/{group_id}")
    _check_kick_off(request)
    types = _types(request, scopes)
    since = _since(request)
    if has_active_export(client):
        outcome = operation_outcome(429, "an export of this client is still running")
        outcome["issue"][0]["code"] = "throttled"
        return fhir_response(outcome, status=429, headers={"Retry-After": "30"})
    job = request_export(
        client=client,
        resource_types=types,
        since=since,
        request_url=request.build_absolute_uri(),
        source_ip=client_ip(request),
    )
    accepted = operation_outcome(202, "export accepted", severity="information")
    accepted["issue"][0]["code"] = "informational"
    location = f"{base_url(request)}/bulkstatus/{job.id}"
    return fhir_response(accepted, status=202, headers={"Content-Location": location})


def _job(request: HttpRequest, client: SmartClient, job_id: str) -> ExportJob:
    try:
        wanted = uuid.UUID(job_id)
    except ValueError:
        raise NotFound("export") from None
    job = ExportJob.objects.filter(id=wanted, client=client).select_related("client").first()
    if job is None or job.status == ExportStatus.CANCELLED:
        raise NotFound("export")
    return job


def _manifest(request: HttpRequest, job: ExportJob) -> dict[str, Any]:
    base = base_url(request)
    assert job.transaction_time is not None
    return {
        "transactionTime": instant(job.transaction_time),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [
            {
                "type": f.resource_type,
                "url": f"{base}/bulkfiles/{job.id}/{f.file_id}",
                "count": f.count,
            }
            for f in export_store().files(job)
        ],
        "error": [],
    }


@bulk_router.get(
    "/bulkstatus/{job_id}",
    response={200: dict[str, Any], 202: FhirResource, **ERRORS, 500: FhirResource},
    summary="Status of a bulk export: 202 while building, 200 with the manifest when done",
)
def export_status(request: HttpRequest, job_id: str) -> HttpResponse:
    client, _ = _system_client(request)
    job = _job(request, client, job_id)
    if job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        response = HttpResponse(status=202)
        response["X-Progress"] = job.progress or "queued"
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response
    if job.status == ExportStatus.FAILED:
        return outcome_response(500, job.error or "the export failed")
    response = JsonResponse(_manifest(request, job))
    response["Expires"] = format_datetime(job.expires_at, usegmt=True)
    return response


@bulk_router.delete(
    "/bulkstatus/{job_id}",
    response={202: FhirResource, **ERRORS},
    summary="Cancel a bulk export (its files are deleted)",
)
def export_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    client, _ = _system_client(request)
    job = _job(request, client, job_id)
    cancel_export(job, source_ip=client_ip(request))
    cancelled = operation_outcome(202, "export cancelled", severity="information")
    cancelled["issue"][0]["code"] = "informational"
    return fhir_response(cancelled, status=202)


@bulk_router.get(
    "/bulkfiles/{job_id}/{file_id}",
    response={200: str, **ERRORS},
    summary="One NDJSON file of a finished export (the same client's token only)",
)
def export_file(request: HttpRequest, job_id: str, file_id: str) -> StreamingHttpResponse:
    client, _ = _system_client(request)
    job = _job(request, client, job_id)
    try:
        wanted = uuid.UUID(file_id)
    except ValueError:
        raise NotFound("file") from None
    content = export_store().read(job, wanted) if job.status == ExportStatus.COMPLETED else None
    if content is None:
        raise NotFound("file")
    record_event(
        actor=None,
        action=AuditAction.BULK_FILE_DOWNLOADED,
        service_id=job.service_id,
        purpose=client.purpose,
        obj=("ExportJob", job.id),
        source_ip=client_ip(request),
        detail={"client_id": client.application.client_id, "file": str(wanted)},
    )
    return StreamingHttpResponse(content, content_type=NDJSON)
