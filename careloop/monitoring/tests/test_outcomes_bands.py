"""Expected-recovery bands: percentiles, the minimum-data rule, pooling, fallback, not-on-track."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import date, timedelta

import pytest

from careloop.monitoring.outcomes import reference
from careloop.monitoring.outcomes.bands import (
    DEFAULT_RULE,
    BandBasis,
    BandStatus,
    EpisodeTrajectory,
    MinimumDataRule,
    expected_band,
    fit_bands,
    stratum_of,
    week_since_baseline,
)
from careloop.monitoring.outcomes.episode import latest_band_position, summarise_episode
from careloop.monitoring.outcomes.nhs_tt import DatedScore
from careloop.monitoring.outcomes.percentiles import percentile

SMALL_RULE = MinimumDataRule(min_stratum_episodes=10, min_cell_observations=10)


def trajectory(baseline: float, *weekly: float) -> EpisodeTrajectory:
    """Baseline at day 0, then one score per week."""
    points = ((0, baseline), *((7 * (week + 1), score) for week, score in enumerate(weekly)))
    return EpisodeTrajectory(baseline, points)


# ---------------------------------------------------------------- percentiles


def test_percentiles_of_one_to_ten_interpolate_between_ranks() -> None:
    counts = Counter(range(1, 11))
    assert percentile(counts, 50) == 5.5
    assert percentile(counts, 10) == pytest.approx(1.9)
    assert percentile(counts, 90) == pytest.approx(9.1)
    assert (percentile(counts, 0), percentile(counts, 100)) == (1, 10)


@pytest.mark.parametrize("seed", range(5))
def test_percentiles_agree_with_the_standard_library_inclusive_method(seed: int) -> None:
    rng = random.Random(seed)
    values = [rng.randint(0, 27) for _ in range(rng.randint(2, 300))]
    expected = statistics.quantiles(values, n=100, method="inclusive")  # type 7
    for p in (10, 25, 50, 75, 90):
        assert percentile(Counter(values), p) == pytest.approx(expected[p - 1])


def test_percentile_of_nothing_or_outside_0_100_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile(Counter(), 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile(Counter([1]), 101)


# ---------------------------------------------------------------- fitting


@pytest.mark.parametrize(
    ("baseline", "stratum"), [(9, None), (9.9, None), (10, 0), (14.6, 0), (15, 1), (27, 2)]
)
def test_baseline_strata(baseline: float, stratum: int | None) -> None:
    assert stratum_of(baseline) == stratum


@pytest.mark.parametrize(("days", "week"), [(0, 0), (3, 0), (4, 1), (6, 1), (10, 1), (11, 2)])
def test_weeks_round_to_the_nearest(days: int, week: int) -> None:
    assert week_since_baseline(days) == week


def test_fit_counts_one_observation_per_episode_week_and_skips_non_cases() -> None:
    model = fit_bands(
        [
            EpisodeTrajectory(16, ((0, 16), (6, 15), (8, 12), (14, 11))),  # days 6, 8: week 1
            trajectory(8, 7, 6),  # below caseness: not fitted
        ]
    )
    assert model.episodes_by_stratum == [0, 1, 0]
    assert model.cells[(1, 1)] == Counter({12: 1})  # the later score of week 1
    assert model.cells[(1, 2)] == Counter({11: 1})
    assert model.episodes == 1


# ---------------------------------------------------------------- minimum data and pooling


def test_a_full_cell_gives_the_services_own_band() -> None:
    model = fit_bands([trajectory(16, 14, 12, 10, score) for score in range(1, 21)], SMALL_RULE)
    band = expected_band(model, 17, 4)
    assert band.basis == BandBasis.SERVICE_CELL
    assert (band.stratum, band.weeks, band.observations) == ("15–19", (4, 4), 20)
    expected = statistics.quantiles(range(1, 21), n=100, method="inclusive")
    assert band.percentiles[75] == pytest.approx(expected[74])
    assert band.percentiles[90] == pytest.approx(expected[89])
    assert "week 4" in band.label and "n = 20" in band.label


def test_a_thin_cell_pools_adjacent_weeks() -> None:
    # 12 episodes, only 4 measured in week 4; weeks 3 (12) and 5 (8) bring the pool to 24.
    episodes = [trajectory(16, 14, 12, 10, 9, 8) for _ in range(8)]
    episodes += [trajectory(16, 14, 12, 10, 8) for _ in range(4)]
    model = fit_bands([_skip_week(e, 4) for e in episodes[:8]] + episodes[8:], SMALL_RULE)
    band = expected_band(model, 16, 4)
    assert band.basis == BandBasis.SERVICE_POOLED_WEEKS
    assert band.weeks == (3, 5)
    assert band.observations == 4 + 12 + 8
    assert "weeks 3–5 pooled" in band.label


def test_a_small_stratum_pools_with_its_neighbours() -> None:
    episodes = [trajectory(12, 11, 10, 9, 8) for _ in range(6)]  # 10–14: 6 episodes
    episodes += [trajectory(17, 15, 13, 11, 9) for _ in range(6)]  # 15–19: 6 episodes
    model = fit_bands(episodes, SMALL_RULE)
    band = expected_band(model, 12, 4)
    assert band.basis == BandBasis.SERVICE_POOLED_STRATA
    assert band.strata == ("10–14", "15–19")
    assert band.stratum == "10–14"


def test_too_little_history_falls_back_to_the_published_reference() -> None:
    model = fit_bands([trajectory(16, 14, 12, 10, 9)] * 3, DEFAULT_RULE)
    band = expected_band(model, 16, 9)
    assert band.basis == BandBasis.PUBLISHED_REFERENCE
    assert band.alert_at_or_above == 13
    assert band.unverified and "UNVERIFIED" in band.label
    assert band.status_of(13) == BandStatus.ALERT
    assert band.status_of(12) == BandStatus.ON_TRACK


def test_no_band_before_week_four_without_history_nor_below_caseness() -> None:
    model = fit_bands([], DEFAULT_RULE)
    early = expected_band(model, 16, 3)
    assert early.basis == BandBasis.NONE
    assert early.status_of(27) == BandStatus.NOT_ASSESSED
    assert expected_band(model, 9, 6).basis == BandBasis.NONE


@pytest.mark.parametrize(
    ("week", "threshold"), [(0, None), (3, None), (4, 17), (8, 17), (9, 13), (13, 13), (14, 9)]
)
def test_reference_checkpoints_hold_until_the_next(week: int, threshold: int | None) -> None:
    assert reference.alert_threshold(week) == threshold


# ---------------------------------------------------------------- not on track


@pytest.mark.parametrize(
    ("score", "status"),
    [
        (5, BandStatus.ON_TRACK),
        (15.25, BandStatus.ON_TRACK),  # exactly the 75th percentile: not above it
        (16, BandStatus.WARNING),
        (18.1, BandStatus.WARNING),  # exactly the 90th percentile
        (19, BandStatus.ALERT),
    ],
)
def test_not_on_track_warning_above_p75_and_alert_above_p90(
    score: float, status: BandStatus
) -> None:
    model = fit_bands([trajectory(16, 14, 12, 10, s) for s in range(1, 21)], SMALL_RULE)
    band = expected_band(model, 16, 4)
    assert band.percentiles[75] == pytest.approx(15.25)
    assert band.percentiles[90] == pytest.approx(18.1)
    assert band.status_of(score) == status


def test_the_baseline_week_itself_is_not_assessed() -> None:
    model = fit_bands([trajectory(16, 14) for _ in range(20)], SMALL_RULE)
    assert expected_band(model, 16, 0).status_of(27) == BandStatus.NOT_ASSESSED


def test_episode_summary_and_band_position_of_the_latest_phq9() -> None:
    start = date(2025, 1, 6)
    phq9 = [DatedScore(start + timedelta(weeks=w), s) for w, s in enumerate((16, 14, 12, 10, 19))]
    gad7 = [DatedScore(start + timedelta(weeks=w), s) for w, s in enumerate((11, 10, 9, 8, 7))]
    model = fit_bands([trajectory(16, 14, 12, 10, s) for s in range(1, 21)], SMALL_RULE)
    position = latest_band_position(model, phq9)
    assert position is not None
    assert (position.week, position.score, position.status) == (4, 19, BandStatus.ALERT)
    summary = summarise_episode(
        phq9, gad7, is_ended=False, recorded_sessions=None, as_of=start + timedelta(weeks=11)
    )
    assert summary.phq9 is not None and summary.phq9.change.change_points == 3
    assert summary.gad7 is not None and summary.gad7.change.change_points == -4
    assert summary.cocm is not None and summary.cocm.review == "review_due"
    assert summary.nhs_tt.sessions_attended == 4
    assert latest_band_position(model, []) is None


def _skip_week(episode: EpisodeTrajectory, week: int) -> EpisodeTrajectory:
    return EpisodeTrajectory(episode.baseline, tuple(p for p in episode.points if p[0] != 7 * week))
