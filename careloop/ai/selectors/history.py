"""What the early-warning model reads, from the owning domains' selectors.

The reads go through care.selectors (episodes), assessments.selectors (answers and totals) and
monitoring.selectors (check-ins) with a patient opened by a selector, so consent applies: a
patient who withdrew questionnaires from their care shows none, and no prediction is made.
Training (`training_rows_for_system`) has no reader: it marks each patient `for_system` with
the reason "ai: train the service's early-warning model" and reads the service's own closed
episodes only; nothing it reads leaves the process except the fitted coefficients and the
held-out rows' label, probability and groups (no ids).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from careloop.ai.early_warning.features import (
    WINDOW_DAYS,
    EpisodeHistory,
    NotEligible,
    features_of,
    history_of,
    no_reliable_improvement_by_week_12,
)
from careloop.ai.early_warning.training import TrainingRow
from careloop.ai.stepped_care.dry_run import PastEpisode
from careloop.analytics.breakdown import Person, groups_of
from careloop.assessments.selectors import assessments_of
from careloop.care.selectors import episodes_of, for_system, patients_with_ids_for_system
from careloop.care.selectors.reporting import ended_episode_facts_for_system
from careloop.monitoring.outcome_selectors import local_day
from careloop.monitoring.selectors import checkins_of, patient_time_zone

if TYPE_CHECKING:
    from careloop.care.models import Patient, TreatmentEpisode

TRAINING_REASON = "ai: train the service's early-warning model on its closed episodes"
DRY_RUN_REASON = "ai: dry-run a stepped-care rule version on the service's closed episodes"
DRIFT_REASON = "ai: drift check (outcome of an episode an estimate was made for)"
INSTRUMENTS = ("phq9", "gad7")


@dataclass(frozen=True)
class EpisodeRecord:
    episode_id: uuid.UUID
    started_on: date
    ending: str
    history: EpisodeHistory


def histories_of(patient: Patient) -> list[EpisodeRecord]:
    """Every episode of a patient (opened by a selector or for_system) with its questionnaires
    and check-ins as day offsets from the episode's start. Three queries."""
    time_zone = patient_time_zone(patient)
    episodes = episodes_of(patient)
    scored = (
        assessments_of(patient)
        .filter(instrument_id__in=INSTRUMENTS, score_total__isnull=False, episode__isnull=False)
        .order_by("completed_at")
        .values_list("episode_id", "instrument_id", "score_total", "answers", "completed_at")
    )
    moods = list(checkins_of(patient).values_list("mood", "completed_at"))
    by_episode: dict[uuid.UUID, list[tuple[int, str, float, tuple[int | None, ...]]]] = {}
    starts = {episode.id: episode.started_on for episode in episodes}
    for episode_id, instrument, total, answers, at in scored:
        if episode_id not in starts:
            continue
        day = (local_day(at, time_zone) - starts[episode_id]).days
        by_episode.setdefault(episode_id, []).append(
            (day, instrument, float(total or 0.0), tuple(answers or ()))
        )
    records = []
    for episode in episodes:
        end = episode.ended_on
        checkins = [
            ((local_day(at, time_zone) - episode.started_on).days, mood)
            for mood, at in moods
            if local_day(at, time_zone) >= episode.started_on
            and (end is None or local_day(at, time_zone) <= end)
        ]
        records.append(
            EpisodeRecord(
                episode.id,
                episode.started_on,
                episode.ending,
                history_of(by_episode.get(episode.id, []), checkins),
            )
        )
    return records


def episode_history(patient: Patient, episode: TreatmentEpisode) -> EpisodeHistory:
    for record in histories_of(patient):
        if record.episode_id == episode.id:
            return record.history
    return history_of([], [])


def groups_of_patient(patient: Patient, on: date) -> dict[str, str]:
    person = Person(
        patient.birth_year,
        patient.gender,
        patient.ethnicity,
        patient.preferred_language,
        patient.deprivation_quintile,
    )
    return {str(dimension): group for dimension, group in groups_of(person, on).items()}


def _closed_records_for_system(
    service_id: uuid.UUID, reason: str
) -> Iterator[tuple[Patient, EpisodeRecord]]:
    ended_ids = {fact.episode_id for fact in ended_episode_facts_for_system(service_id)}
    patient_ids = sorted({fact.patient_id for fact in ended_episode_facts_for_system(service_id)})
    for patient in patients_with_ids_for_system(patient_ids).order_by("id").iterator(500):
        for_system(patient, reason=reason)
        for record in histories_of(patient):
            if record.episode_id in ended_ids:
                yield patient, record


def training_rows_for_system(service_id: uuid.UUID) -> tuple[list[TrainingRow], int]:
    """System read for `careloop ai train`: one row per closed episode of the service with the
    data a prediction needs (a PHQ-9 at the start and one from week 2), and how many closed
    episodes were left out for lacking it. Reads 3 queries per patient with a closed episode."""
    rows: list[TrainingRow] = []
    skipped = 0
    for patient, record in _closed_records_for_system(service_id, TRAINING_REASON):
        try:
            features = features_of(record.history)
        except NotEligible:
            skipped += 1
            continue
        rows.append(
            TrainingRow(
                key=str(record.episode_id),
                features=features,
                label=no_reliable_improvement_by_week_12(record.history, record.started_on),
                groups=groups_of_patient(patient, record.started_on),
                continued=any(q.day > WINDOW_DAYS for q in record.history.questionnaires),
            )
        )
    return rows, skipped


def past_episodes_for_system(service_id: uuid.UUID) -> list[PastEpisode]:
    """System read for `careloop ai dry-run`: the service's closed episodes as the rules read
    them (start day and PHQ-9/GAD-7 history). Only counts leave the command."""
    return [
        PastEpisode(record.started_on, record.history)
        for _, record in _closed_records_for_system(service_id, DRY_RUN_REASON)
    ]


def label_of_episode_for_system(patient: Patient, episode_id: uuid.UUID) -> bool | None:
    """System read for the drift check: an ended episode's week-12 label (None: not ended)."""
    for_system(patient, reason=DRIFT_REASON)
    for record in histories_of(patient):
        if record.episode_id == episode_id and record.ending != "ongoing":
            return no_reliable_improvement_by_week_12(record.history, record.started_on)
    return None
