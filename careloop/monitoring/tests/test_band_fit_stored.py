"""Expected-recovery bands are fitted by the worker and stored, so no page fits them inside a
request (a fit reads every closed episode: tens of seconds at 100k patients)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache

from careloop.core import clock
from careloop.monitoring.models import BandFit
from careloop.monitoring.outcome_selectors import bands as band_selectors
from careloop.monitoring.outcomes.bands import (
    BandModel,
    EpisodeTrajectory,
    fit_bands,
    model_from_json,
    model_to_json,
)
from careloop.monitoring.tests.outcome_factories import episode_with_scores, make_patient

pytestmark = pytest.mark.django_db


def _fitted() -> BandModel:
    return fit_bands(
        [
            EpisodeTrajectory(18, ((0, 18), (7, 15), (14, 12.5), (21, 9))),
            EpisodeTrajectory(12, ((0, 12), (8, 11))),
            EpisodeTrajectory(24, ((0, 24), (6, 20))),
            EpisodeTrajectory(8, ((0, 8), (7, 6))),  # below caseness: no stratum
        ]
    )


def test_a_fitted_model_survives_the_round_trip_through_json() -> None:
    model = _fitted()
    again = model_from_json(model_to_json(model))
    assert again == model
    assert again.episodes == 3 and again.cells[(1, 2)] == {12.5: 1}


@pytest.mark.parametrize(
    "document", [{}, {"rule": {}, "episodes_by_stratum": [], "cells": []}, {"rule": 3}]
)
def test_a_malformed_stored_fit_is_refused(document) -> None:
    with pytest.raises(ValueError, match="not a stored band model"):
        model_from_json(document)


def test_a_page_reads_the_stored_fit_and_never_fits_it_again(monkeypatch, service, north, ben):
    episode_with_scores(make_patient(north, "Closed"), ben, [(16, None), (12, None), (8, None)])
    first = band_selectors.band_model_for_service(service.id)  # never fitted: fitted and stored
    stored = BandFit.objects.get(service=service)
    assert stored.episodes == 1 == first.episodes

    def no_fit(trajectories):
        raise AssertionError("a page must not fit the bands when a stored fit exists")

    monkeypatch.setattr(band_selectors, "fit_bands", no_fit)
    cache.clear()  # as a fresh server process: nothing in memory
    assert band_selectors.band_model_for_service(service.id) == first
    stored.fitted_at -= timedelta(days=3)  # stale: still used, the worker refits it
    stored.save()
    cache.clear()
    assert band_selectors.band_model_for_service(service.id) == first


def test_the_worker_refits_a_day_old_fit_one_service_per_tick(service, north, ben) -> None:
    assert band_selectors.refresh_band_models() == 1  # never fitted
    assert BandFit.objects.get(service=service).episodes == 0
    assert band_selectors.refresh_band_models() == 0  # fresh: nothing to do

    episode_with_scores(make_patient(north, "Closed"), ben, [(16, None), (12, None), (8, None)])
    BandFit.objects.filter(service=service).update(fitted_at=clock.now() - timedelta(days=1))
    assert band_selectors.refresh_band_models() == 1
    refit = BandFit.objects.get(service=service)
    assert refit.episodes == 1 and refit.fitted_at > clock.now() - timedelta(minutes=1)
    assert model_from_json(refit.counts).episodes == 1
