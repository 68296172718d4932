"""Health check: OK only when the database answers and an alert worker is beating (HZ-025).

One small query: the newest worker heartbeat (it also proves the database answers). A load
balancer that should judge only the web process can ask `/healthz?check=web` (database only); a
monitor should ask plain `/healthz`, which turns 503 when no worker has beaten for
HEALTH_WORKER_STALE_SECONDS, because then no alert is being delivered.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from careloop.core.heartbeat import worker_health


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        if request.GET.get("check") == "web":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            return JsonResponse({"status": "ok", "database": "ok"})
        stale_after = settings.HEALTH_WORKER_STALE_SECONDS
        health = worker_health(stale_after)
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    worker: dict[str, Any] = {
        "status": "ok" if health.healthy else ("never" if health.last_beat is None else "stale"),
        "last_beat": health.last_beat.isoformat() if health.last_beat else None,
        "seconds_since_beat": round(health.age_seconds, 1)
        if health.age_seconds is not None
        else None,
        "stale_after_seconds": stale_after,
    }
    status = "ok" if health.healthy else "error"
    return JsonResponse(
        {"status": status, "database": "ok", "worker": worker},
        status=200 if health.healthy else 503,
    )
