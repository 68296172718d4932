"""The service's expected-recovery bands, fitted from its closed episodes and cached daily."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from django.core.cache import cache as django_cache

from careloop.core import clock
from careloop.monitoring.outcome_selectors.scores import closed_episode_scores
from careloop.monitoring.outcomes.bands import BandModel, EpisodeTrajectory, fit_bands

BAND_CACHE_SECONDS = 6 * 60 * 60  # bands move slowly; refit at most every 6 hours (and daily)


def band_trajectories(service_id: uuid.UUID) -> Iterator[EpisodeTrajectory]:
    """The PHQ-9 series of a service's closed episodes, as the band fit takes them."""
    for scores in closed_episode_scores(service_id, instruments=("phq9",)):
        baseline = scores.phq9[0]
        yield EpisodeTrajectory(
            baseline.total,
            tuple(((s.taken_on - baseline.taken_on).days, s.total) for s in scores.phq9),
        )


def _band_cache_key(service_id: uuid.UUID) -> str:
    return f"careloop:outcome-bands:{service_id}:{clock.now().date().isoformat()}"


def refresh_band_model(service_id: uuid.UUID) -> BandModel:
    """Fit the service's bands now and cache them (aggregated counts only, no identities)."""
    model = fit_bands(band_trajectories(service_id))
    django_cache.set(_band_cache_key(service_id), model, BAND_CACHE_SECONDS)
    return model


def band_model_for_service(service_id: uuid.UUID) -> BandModel:
    """The service's expected-recovery bands: today's cached fit, else fitted now.

    The key carries the day, so bands are refitted at least daily.
    """
    model = django_cache.get(_band_cache_key(service_id))
    if isinstance(model, BandModel):
        return model
    return refresh_band_model(service_id)
