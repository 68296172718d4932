"""GET /api/patients/{id}/outcomes and the selectors behind it."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest

from careloop.audit.models import AuditEvent
from careloop.audit.selectors import patient_ref
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.monitoring.outcome_selectors import bands as band_selectors
from careloop.monitoring.outcome_selectors import (
    closed_episode_scores,
    ended_episodes_without_scores,
)
from careloop.monitoring.outcomes.bands import MinimumDataRule, fit_bands
from careloop.monitoring.tests.outcome_factories import episode_with_scores, make_patient

RECOVERING = [(16, 11), (14, 10), (12, 8), (10, 7), (8, 6), (6, 5)]


def test_clinician_sees_episode_outcomes_and_the_read_is_audited(as_user, ada_patient, ben) -> None:
    episode = episode_with_scores(ada_patient, ben, RECOVERING, sessions=5)
    response = as_user(ben).get(f"/api/patients/{ada_patient.id}/outcomes")
    assert response.status_code == 200
    body = response.json()
    [outcome] = body["episodes"]
    assert outcome["episode_id"] == str(episode.id) and outcome["is_final"]
    nhs_tt = outcome["nhs_tt"]
    assert nhs_tt["first_paired"]["phq9"] == 16 and nhs_tt["last_paired"]["gad7"] == 5
    assert (nhs_tt["sessions_attended"], nhs_tt["sessions_basis"]) == (5, "recorded")
    assert nhs_tt["finished_treatment"] and nhs_tt["caseness_at_start"]
    assert nhs_tt["recovered"] and nhs_tt["reliable_improvement"] and nhs_tt["reliable_recovery"]
    assert nhs_tt["reliable_deterioration"] is False
    phq9 = outcome["phq9"]
    assert (phq9["baseline"], phq9["latest"], phq9["change"]) == (16, 6, -10)
    assert phq9["direction"] == "reliable_improvement" and phq9["threshold_points"] == 6
    assert phq9["rci"] == pytest.approx(-10 * 1.96 / 6)
    assert outcome["gad7"]["change"] == -6
    assert outcome["cocm"]["response"] and outcome["cocm"]["review"] == "not_needed"
    assert "§15" in body["definitions"]["nhs_tt.recovery"]
    event = AuditEvent.objects.get(action=AuditAction.ASSESSMENTS_VIEWED, actor=ben)
    assert (event.patient_ref, event.purpose) == (patient_ref(ada_patient.id), PurposeOfUse.TREAT)
    assert event.detail == {"view": "outcomes", "episodes": 1}


def test_patient_sees_their_own_outcomes(as_user, ada, ada_patient) -> None:
    episode_with_scores(ada_patient, ada, RECOVERING[:3], ending=EpisodeEnding.ONGOING)
    response = as_user(ada).get(f"/api/patients/{ada_patient.id}/outcomes")
    assert response.status_code == 200
    [outcome] = response.json()["episodes"]
    assert outcome["is_final"] is False and outcome["nhs_tt"]["finished_treatment"] is False
    assert outcome["nhs_tt"]["sessions_basis"] == "estimated_from_measurement_days"
    event = AuditEvent.objects.get(actor=ada, action=AuditAction.ASSESSMENTS_VIEWED)
    assert event.purpose == PurposeOfUse.PATRQT


@pytest.mark.parametrize("outsider", ["dana", "cleo"])
def test_outsiders_get_404_and_nothing_is_audited(
    request, as_user, ada_patient, ben, outsider
) -> None:
    episode_with_scores(ada_patient, ben, RECOVERING)
    user = request.getfixturevalue(outsider)
    response = as_user(user).get(f"/api/patients/{ada_patient.id}/outcomes")
    assert response.status_code == 404
    # Signing in is audited (auth.signed_in); no read of the patient is.
    assert not AuditEvent.objects.filter(actor=user).exclude(action__startswith="auth.").exists()


def test_signed_out_request_is_refused(client, ada_patient) -> None:
    assert client.get(f"/api/patients/{ada_patient.id}/outcomes").status_code == 401


def test_without_service_history_the_band_is_the_published_reference(
    as_user, ada_patient, ben
) -> None:
    weekly = [(18, 12), (18, 12), (17, 12), (17, 11), (16, 11), (16, 11)]  # week 5: PHQ-9 16
    episode_with_scores(ada_patient, ben, weekly, ending=EpisodeEnding.ONGOING)
    band = (
        as_user(ben)
        .get(f"/api/patients/{ada_patient.id}/outcomes")
        .json()["episodes"][0]["expected_band"]
    )
    assert (band["week"], band["score"], band["basis"]) == (5, 16, "published_reference")
    assert band["alert_at_or_above"] == 17 and band["status"] == "on_track"
    assert "UNVERIFIED" in band["label"]


def test_with_enough_closed_episodes_the_services_own_band_is_used(
    as_user, monkeypatch, north, ada_patient, ben
) -> None:
    small_rule = MinimumDataRule(min_stratum_episodes=5, min_cell_observations=5)
    monkeypatch.setattr(band_selectors, "fit_bands", partial(fit_bands, rule=small_rule))
    for index, last in enumerate((4, 5, 6, 7, 8)):
        history = make_patient(north, f"History {index}")
        episode_with_scores(history, ben, [(16, 10), (14, 9), (12, 8), (last, 6)])
    episode_with_scores(
        ada_patient, ben, [(17, 10), (16, 10), (15, 9), (14, 9)], ending=EpisodeEnding.ONGOING
    )
    band = (
        as_user(ben)
        .get(f"/api/patients/{ada_patient.id}/outcomes")
        .json()["episodes"][0]["expected_band"]
    )
    assert (band["basis"], band["week"], band["observations"]) == ("service_cell", 3, 5)
    assert band["percentiles"] == {"p10": 4.4, "p25": 5.0, "p50": 6.0, "p75": 7.0, "p90": 7.6}
    assert band["status"] == "alert"  # 14 is far above the 90th percentile of 7.6


def test_closed_episode_stream_pairs_by_local_day_and_counts_unscored_episodes(north, ben) -> None:
    # 23:30 UTC is already the next day in Sydney: GAD-7 taken 30 minutes later pairs there.
    sydney = make_patient(north, "Sydney", time_zone="Australia/Sydney")
    start = clock.now().replace(hour=13, minute=0) - timedelta(weeks=6)
    episode = episode_with_scores(sydney, ben, [(15, None), (12, None)], started_at=start)
    episode_with_scores(sydney, ben, [], ending=EpisodeEnding.ONGOING)  # not ended: ignored
    [scores] = list(closed_episode_scores(north.service_id))
    assert scores.episode_id == episode.id
    assert [s.total for s in scores.phq9] == [15, 12] and scores.gad7 == ()
    unscored = make_patient(north, "Unscored")
    episode_with_scores(unscored, ben, [], sessions=3)
    episode_with_scores(unscored, ben, [], sessions=1, ending=EpisodeEnding.DROPPED_OUT)
    assert ended_episodes_without_scores(north.service_id) == (2, 1)


def test_bands_are_fitted_once_a_day_per_service_and_can_be_refreshed(monkeypatch, service) -> None:
    fits = []

    def counting_fit(trajectories):
        fits.append(list(trajectories))
        return fit_bands(fits[-1])

    monkeypatch.setattr(band_selectors, "fit_bands", counting_fit)
    first = band_selectors.band_model_for_service(service.id)
    assert band_selectors.band_model_for_service(service.id) is not None
    assert len(fits) == 1 and first.episodes == 0
    band_selectors.refresh_band_model(service.id)
    assert len(fits) == 2
