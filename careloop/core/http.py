"""Small request readers every domain's HTTP edge shares (one definition, not one per view)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as the audit trail records it (None when unknown).

    One place on purpose: a deployment behind a reverse proxy changes how the client address is
    read here, not in every view.
    """
    return request.META.get("REMOTE_ADDR") or None


def aware_datetime_param(request: HttpRequest, name: str) -> datetime | None:
    """A paging cursor such as `?before=2026-03-01T10:00:00+00:00`; None when absent, malformed
    or without a UTC offset (a naive time would be read in the server's zone, not the client's)."""
    raw = request.GET.get(name, "")
    try:
        moment = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return moment if moment is None or moment.utcoffset() is not None else None
