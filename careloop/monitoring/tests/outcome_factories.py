"""Builders for outcome tests: treatment episodes whose PHQ-9/GAD-7 go through submit_assessment."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from careloop.accounts.models import User
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.models import CareTeam, Patient, TreatmentEpisode
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.instruments.tests.helpers import spread


def phq9_answers(total: int) -> list[int | None]:
    return [*spread(total, 8, 3), 0]  # item 9 stays 0: no risk alert in these tests


def gad7_answers(total: int) -> list[int | None]:
    return list(spread(total, 7, 3))


def make_patient(team: CareTeam, name: str, time_zone: str = "Europe/London") -> Patient:
    return Patient.objects.create(
        service=team.service, care_team=team, display_name=name, time_zone=time_zone
    )


def episode_with_scores(
    patient: Patient,
    actor: User,
    weekly: Sequence[tuple[int | None, int | None]],
    *,
    started_at: datetime | None = None,
    ending: EpisodeEnding = EpisodeEnding.COMPLETED,
    sessions: int | None = None,
) -> TreatmentEpisode:
    """An episode with one (PHQ-9, GAD-7) per week from `started_at`; None skips a measure.

    The episode is open while the answers are submitted (so they attach to it), then closed
    with `ending` on the day of the last measurement.
    """
    started_at = started_at or clock.now() - timedelta(weeks=len(weekly) + 1)
    episode = TreatmentEpisode.objects.create(
        service=patient.service,
        patient=patient,
        referred_on=started_at.date() - timedelta(days=14),
        started_on=started_at.date(),
        treatment_sessions_attended=sessions,
    )
    for week, (phq9, gad7) in enumerate(weekly):
        taken_at = started_at + timedelta(weeks=week)
        for instrument, total, answers in (
            ("phq9", phq9, phq9_answers),
            ("gad7", gad7, gad7_answers),
        ):
            if total is not None:
                submit_assessment(
                    patient,
                    actor=actor,
                    instrument_id=instrument,
                    answers=answers(total),
                    client_id=uuid.uuid4(),
                    source=SubmissionSource.SEED,
                    completed_at=taken_at,
                )
    if ending != EpisodeEnding.ONGOING:
        episode.ending = ending
        episode.ended_on = (started_at + timedelta(weeks=len(weekly) - 1)).date()
        episode.save(update_fields=["ending", "ended_on"])
    return episode
