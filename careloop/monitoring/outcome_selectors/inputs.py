"""Ended episodes reduced to what the NHS TT engine reads, for the service report."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from django.db import connection

from careloop.assessments.selectors import (
    episode_has_scores_expression,
    paired_phq9_gad7_days_for_system,
)
from careloop.care.selectors import count_ended_episodes_for_system
from careloop.monitoring.outcome_selectors.scores import (
    OUTCOME_INSTRUMENTS,
    EpisodeScores,
    closed_episode_scores,
    ended_episode_pages,
    page_scores,
    zone,
)
from careloop.monitoring.outcomes.nhs_tt import (
    DatedScore,
    NhsTtOutcome,
    PairedScore,
    SessionsBasis,
    nhs_tt_outcome,
    pair_scores,
)


@dataclass(frozen=True)
class EpisodeOutcomeInputs:
    """All `nhs_tt_outcome` reads of an ended episode that has at least one PHQ-9/GAD-7."""

    episode_id: uuid.UUID
    recorded_sessions: int | None
    measurement_days: int  # distinct local days with a PHQ-9 or GAD-7 (the session estimate)
    first: PairedScore | None
    last: PairedScore | None  # None with fewer than two paired days, as the engine has it


def outcome_inputs_of(scores: EpisodeScores) -> EpisodeOutcomeInputs:
    """Reduce an episode's full series in Python (the portable path, and the reference for the
    PostgreSQL one)."""
    pairs = pair_scores(scores.phq9, scores.gad7)
    days = {score.taken_on for score in (*scores.phq9, *scores.gad7)}
    return EpisodeOutcomeInputs(
        episode_id=scores.episode_id,
        recorded_sessions=scores.recorded_sessions,
        measurement_days=len(days),
        first=pairs[0] if pairs else None,
        last=pairs[-1] if len(pairs) >= 2 else None,
    )


def ended_outcome_of(inputs: EpisodeOutcomeInputs) -> NhsTtOutcome:
    """The engine's outcome for an ended episode, fed its first and last paired score only.

    Pairing keeps the same first and last pair, and the session estimate (distinct measurement
    days after the first, `nhs_tt.estimate_sessions`) is counted beforehand and labelled.
    """
    pairs = [pair for pair in (inputs.first, inputs.last) if pair is not None]
    phq9 = tuple(DatedScore(pair.taken_on, pair.phq9) for pair in pairs)
    gad7 = tuple(DatedScore(pair.taken_on, pair.gad7) for pair in pairs)
    if inputs.recorded_sessions is not None:
        return nhs_tt_outcome(phq9, gad7, is_ended=True, recorded_sessions=inputs.recorded_sessions)
    estimated = max(0, inputs.measurement_days - 1)
    outcome = nhs_tt_outcome(phq9, gad7, is_ended=True, recorded_sessions=estimated)
    return replace(outcome, sessions_basis=SessionsBasis.ESTIMATED)


def _zones_known_to_postgres(names: set[str]) -> set[str]:
    """Which zone names PostgreSQL's own tz database knows (it may lag Python's)."""
    if not names:
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_timezone_names WHERE name = ANY(%s)", [list(names)])
        return {name for (name,) in cursor.fetchall()}


def ended_episode_outcome_inputs(
    service_id: uuid.UUID, *, ended_from: date | None = None, ended_to: date | None = None
) -> Iterator[EpisodeOutcomeInputs]:
    """The episodes of `closed_episode_scores`, reduced to what the NHS TT engine reads.

    On PostgreSQL each page of episodes is reduced by one query (local days via AT TIME ZONE,
    with the zone Python would use, so a malformed stored zone is UTC in both); elsewhere, or
    for a page with a zone PostgreSQL's tz database lacks, the full series is read and reduced
    in Python. Both give the same inputs (tested).
    """
    if connection.vendor != "postgresql":
        yield from map(
            outcome_inputs_of,
            closed_episode_scores(service_id, ended_from=ended_from, ended_to=ended_to),
        )
        return
    known: set[str] = set()
    for page in ended_episode_pages(service_id, ended_from, ended_to):
        zones = [zone(time_zone).key for _, _, time_zone in page]
        known |= _zones_known_to_postgres(set(zones) - known)
        if not known.issuperset(zones):
            yield from map(outcome_inputs_of, page_scores(service_id, page, OUTCOME_INSTRUMENTS))
            continue
        sessions = {episode_id: recorded for episode_id, recorded, _ in page}
        rows = paired_phq9_gad7_days_for_system(
            service_id, [episode_id for episode_id, _, _ in page], zones
        )
        for episode_id, days, paired, day1, phq1, gad1, day2, phq2, gad2 in rows:
            yield EpisodeOutcomeInputs(
                episode_id=episode_id,
                recorded_sessions=sessions[episode_id],
                measurement_days=days,
                first=PairedScore(day1, phq1, gad1) if paired else None,
                last=PairedScore(day2, phq2, gad2) if paired >= 2 else None,
            )


def ended_episodes_without_scores(
    service_id: uuid.UUID, *, ended_from: date | None = None, ended_to: date | None = None
) -> tuple[int, int]:
    """(ended, of which finished by recorded sessions) for ended episodes with no PHQ-9/GAD-7.

    They never appear in `closed_episode_scores`; one aggregate query counts them.
    """
    return count_ended_episodes_for_system(
        service_id,
        ended_from=ended_from,
        ended_to=ended_to,
        excluding=episode_has_scores_expression(service_id, OUTCOME_INSTRUMENTS),
    )
