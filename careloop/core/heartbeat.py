"""The alert worker's heartbeat and the health verdict read from it (HZ-025).

The worker records a beat after every tick; `/healthz` reads only the newest beat (one indexed
query) and calls the worker stale when it is older than HEALTH_WORKER_STALE_SECONDS.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Max

from careloop.core import clock
from careloop.core.models import WorkerHeartbeat

# Rows of workers that stopped beating this long ago are deleted (restarts add new host:pid rows).
PRUNE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class WorkerHealth:
    healthy: bool
    last_beat: datetime | None
    age_seconds: float | None


def beat(started_at: datetime) -> None:
    """Record that this worker process finished a tick (one upsert; prunes long-dead rows)."""
    now = clock.now()
    host, pid = socket.gethostname(), os.getpid()
    updated = WorkerHeartbeat.objects.filter(name=f"{host}:{pid}").update(
        last_beat=now, ticks=F("ticks") + 1
    )
    if not updated:
        WorkerHeartbeat.objects.create(
            name=f"{host}:{pid}", host=host, pid=pid, started_at=started_at, last_beat=now, ticks=1
        )
        WorkerHeartbeat.objects.filter(last_beat__lt=now - PRUNE_AFTER).delete()


def worker_health(stale_after_seconds: float) -> WorkerHealth:
    """Is any worker beating? One aggregate over the indexed last_beat column."""
    last = WorkerHeartbeat.objects.aggregate(last=Max("last_beat"))["last"]
    if last is None:
        return WorkerHealth(healthy=False, last_beat=None, age_seconds=None)
    age = max((clock.now() - last).total_seconds(), 0.0)
    return WorkerHealth(healthy=age <= stale_after_seconds, last_beat=last, age_seconds=age)
