"""The service's expected-recovery bands, fitted from its closed episodes.

The fit reads every closed episode of the service: milliseconds for a small service, tens of
seconds at 100k patients. So it is stored (`BandFit`, counts only) and refitted by the worker
job `monitoring.refresh_band_models` once it is a day old; a page reads the stored fit (kept in
each process's memory for a few minutes) and fits only when the service has never had one.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

from django.core.cache import cache as django_cache
from django.db import transaction

from careloop.core import clock
from careloop.core.selectors import service_ids
from careloop.monitoring.models import BandFit
from careloop.monitoring.outcome_selectors.scores import closed_episode_scores
from careloop.monitoring.outcomes.bands import (
    BandModel,
    EpisodeTrajectory,
    fit_bands,
    model_from_json,
    model_to_json,
)

log = logging.getLogger(__name__)

REFIT_AFTER = timedelta(days=1)  # bands move slowly: a day-old fit is refitted
MEMORY_SECONDS = 5 * 60  # how long a process keeps a stored fit before looking for a newer one


def band_trajectories(service_id: uuid.UUID) -> Iterator[EpisodeTrajectory]:
    """The PHQ-9 series of a service's closed episodes, as the band fit takes them."""
    for scores in closed_episode_scores(service_id, instruments=("phq9",)):
        baseline = scores.phq9[0]
        yield EpisodeTrajectory(
            baseline.total,
            tuple(((s.taken_on - baseline.taken_on).days, s.total) for s in scores.phq9),
        )


def _memory_key(service_id: uuid.UUID) -> str:
    return f"careloop:outcome-bands:{service_id}"


def refresh_band_model(service_id: uuid.UUID) -> BandModel:
    """Fit the service's bands now and store them (aggregated counts only, no identities)."""
    model = fit_bands(band_trajectories(service_id))
    BandFit.objects.update_or_create(
        service_id=service_id,
        defaults={
            "fitted_at": clock.now(),
            "episodes": model.episodes,
            "counts": model_to_json(model),
        },
    )
    django_cache.set(_memory_key(service_id), model, MEMORY_SECONDS)
    return model


def band_model_for_service(service_id: uuid.UUID) -> BandModel:
    """The service's expected-recovery bands: the stored fit, else (never fitted) fitted now.

    A stored fit older than a day is still used: the worker refits it, and this process picks
    the new one up within MEMORY_SECONDS.
    """
    model = django_cache.get(_memory_key(service_id))
    if isinstance(model, BandModel):
        return model
    stored = BandFit.objects.filter(service_id=service_id).values_list("counts", flat=True).first()
    if stored is None:
        return refresh_band_model(service_id)
    try:
        model = model_from_json(stored)
    except ValueError:
        log.exception("stored band fit unreadable; refitting")
        return refresh_band_model(service_id)
    django_cache.set(_memory_key(service_id), model, MEMORY_SECONDS)
    return model


def refresh_band_models() -> int:
    """Worker job: refit one service whose bands are missing or a day old; return 0 or 1.

    One service per tick, because a large service's fit takes tens of seconds and the same
    worker also runs the alert jobs; the service's row is locked with SKIP LOCKED, so two
    workers never fit the same service at once.
    """
    stale_before = clock.now() - REFIT_AFTER
    fresh = set(
        BandFit.objects.filter(fitted_at__gte=stale_before).values_list("service_id", flat=True)
    )
    for service_id in service_ids():
        if service_id in fresh:
            continue
        BandFit.objects.bulk_create(
            [BandFit(service_id=service_id, fitted_at=stale_before, episodes=0, counts={})],
            ignore_conflicts=True,
        )
        with transaction.atomic():
            claimed = (
                BandFit.objects.select_for_update(skip_locked=True)
                .filter(service_id=service_id, fitted_at__lte=stale_before)
                .first()
            )
            if claimed is None:
                continue  # another worker is fitting it, or just did
            started = time.monotonic()
            model = fit_bands(band_trajectories(service_id))
            claimed.fitted_at = clock.now()
            claimed.episodes = model.episodes
            claimed.counts = model_to_json(model)
            claimed.save(update_fields=["fitted_at", "episodes", "counts"])
        log.info(
            "band fit refreshed",
            extra={"episodes": model.episodes, "seconds": round(time.monotonic() - started, 2)},
        )
        return 1
    return 0
