"""Database reads that feed the outcome engine (`careloop.monitoring.outcomes`, pure), by concern:

* `patient.episode_outcomes_for(patient)`: one visible patient's episodes, each summarised (NHS
  TT, change, CoCM), and the latest PHQ-9 against the service's expected-recovery band.
* `scores.closed_episode_scores(service_id)`: a service's ended episodes with their PHQ-9/GAD-7
  totals, a page of episodes per query, for band fitting and the NHS TT service report; memory
  stays flat however many patients the service has.
* `inputs.ended_episode_outcome_inputs(service_id)`: the same episodes reduced in the database to
  what the NHS TT engine reads (first and last paired score, number of measurement days), for the
  service report: a 100k-patient service sends ~100k rows to Python instead of ~1.3M.
* `bands.band_model_for_service(service_id)`: the fitted bands, cached for the day;
  `bands.refresh_band_model(service_id)` refits them ahead of time (for a nightly job: a first
  fit for a 100k-patient service takes tens of seconds, too long to happen inside a request).

Scores are placed on the patient's local calendar day (their time zone), because NHS TT pairs a
PHQ-9 and a GAD-7 taken at the same session. Assessments with no episode are not outcomes. The
rows themselves are read through care.selectors (episodes) and assessments.selectors (scores).
"""

from careloop.monitoring.outcome_selectors.bands import (
    band_model_for_service,
    band_trajectories,
    refresh_band_model,
)
from careloop.monitoring.outcome_selectors.inputs import (
    EpisodeOutcomeInputs,
    ended_episode_outcome_inputs,
    ended_episodes_without_scores,
    ended_outcome_of,
    outcome_inputs_of,
)
from careloop.monitoring.outcome_selectors.patient import EpisodeOutcomes, episode_outcomes_for
from careloop.monitoring.outcome_selectors.scores import (
    OUTCOME_INSTRUMENTS,
    EpisodeScores,
    closed_episode_scores,
    local_day,
)

__all__ = [
    "OUTCOME_INSTRUMENTS",
    "EpisodeOutcomeInputs",
    "EpisodeOutcomes",
    "EpisodeScores",
    "band_model_for_service",
    "band_trajectories",
    "closed_episode_scores",
    "ended_episode_outcome_inputs",
    "ended_episodes_without_scores",
    "ended_outcome_of",
    "episode_outcomes_for",
    "local_day",
    "outcome_inputs_of",
    "refresh_band_model",
]
