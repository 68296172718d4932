"""One visible patient's treatment episodes with their outcomes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING

from careloop.assessments.selectors import episode_scores_of
from careloop.care.selectors import episodes_of
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.monitoring.outcome_selectors.bands import band_model_for_service
from careloop.monitoring.outcome_selectors.scores import (
    OUTCOME_INSTRUMENTS,
    local_day,
    split_by_instrument,
)
from careloop.monitoring.outcomes.episode import (
    BandPosition,
    EpisodeSummary,
    latest_band_position,
    summarise_episode,
)
from careloop.monitoring.outcomes.nhs_tt import DatedScore

if TYPE_CHECKING:
    from careloop.care.models import Patient, TreatmentEpisode


@dataclass(frozen=True)
class EpisodeOutcomes:
    episode: TreatmentEpisode
    summary: EpisodeSummary
    band_position: BandPosition | None  # the patient's most recent episode only


def _scores_by_episode(
    patient: Patient,
) -> dict[uuid.UUID, tuple[tuple[DatedScore, ...], tuple[DatedScore, ...]]]:
    """Scores are questionnaire data: none when the patient withdrew them (assessments checks)."""
    rows = episode_scores_of(patient, OUTCOME_INSTRUMENTS)
    return {
        episode_id: split_by_instrument((row for _, row in group), patient.time_zone)
        for episode_id, group in groupby(rows, key=itemgetter(0))
    }


def episode_outcomes_for(patient: Patient, *, today: date | None = None) -> list[EpisodeOutcomes]:
    """A visible patient's episodes, oldest first, with their outcomes. Two queries, plus the
    band fit when the service's bands are not cached. `patient` must come from care.selectors."""
    today = today or local_day(clock.now(), patient.time_zone)
    episodes = episodes_of(patient)
    scores = _scores_by_episode(patient)
    outcomes = []
    for position, episode in enumerate(episodes):
        phq9, gad7 = scores.get(episode.id, ((), ()))
        is_ended = episode.ending != EpisodeEnding.ONGOING
        summary = summarise_episode(
            phq9,
            gad7,
            is_ended=is_ended,
            recorded_sessions=episode.treatment_sessions_attended,
            as_of=episode.ended_on if is_ended and episode.ended_on else today,
        )
        is_latest = position == len(episodes) - 1
        band = None
        if is_latest and phq9:
            band = latest_band_position(band_model_for_service(patient.service_id), phq9)
        outcomes.append(EpisodeOutcomes(episode=episode, summary=summary, band_position=band))
    return outcomes
