"""The demo's stepped care and supervision (#13): steps on Team North's courses of care and a
few case reviews by Sam, the team's psychiatric consultant, so the patient page's stepped-care
section, the chart's step markers and Sam's review list (/supervision/) show something real.

Synthetic only, written through the owning domains' seed writes (no audit events: nothing real
happened), dated in the past. Idempotent: nothing is written once the service has a case review.
Call it from careloop.seed.demo.seed_demo after the population is loaded.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.selectors import ongoing_episodes_started_by, patients_visible_to
from careloop.care.services import (
    create_episode_for_seed,
    create_patient_for_seed,
    create_step_change_for_seed,
)
from careloop.care.types import CareStep, EpisodeEnding, Gender
from careloop.core import clock
from careloop.monitoring.supervision.selectors import has_case_reviews_for_seed
from careloop.monitoring.supervision.services import create_case_review_for_seed
from careloop.monitoring.supervision.types import ReviewOutcome
from careloop.safety.services import bulk_create_alerts_for_seed, new_alert_for_seed
from careloop.safety.types import AlertOutcome, AlertSource, AlertStatus

if TYPE_CHECKING:
    from datetime import date

    from careloop.accounts.models import User
    from careloop.care.models import CareTeam, Patient, TreatmentEpisode
    from careloop.core.models import Service
    from careloop.safety.models import Alert


@dataclass(frozen=True)
class _Course:
    """A synthetic Team North patient 9-13 weeks into care, with weekly PHQ-9 totals."""

    name: str
    gender: Gender
    weeks: int
    phq9: tuple[int, ...]  # one total a fortnight from the first week, oldest first


# Made-up names; the first three are not improving (the review list shows them), the last is.
COURSES = (
    _Course("Taro Vennick", Gender.MALE, 9, (18, 17, 18, 17, 16)),
    _Course("Ilse Marrow", Gender.FEMALE, 11, (15, 15, 16, 16, 17, 17)),
    _Course("Quin Adebar", Gender.NON_BINARY, 13, (21, 20, 22, 21, 23, 22, 23)),
    _Course("Sol Perrault", Gender.FEMALE, 10, (19, 15, 12, 9, 7, 6)),
)

STEPPED_UP = (
    "Little change on PHQ-9 after six guided self-help sessions; agreed with the patient to "
    "move to CBT."
)
STARTED = "Mild to moderate symptoms at assessment; guided self-help offered first."
ADA_STARTED = "Moderate symptoms at assessment; Ada chose guided self-help to begin with."
SPECIALIST = "Needs the specialist team's assessment after a worsening PHQ-9 and new risk answers."
REVIEW_STEP_UP = (
    "Reviewed the PHQ-9 trend at week 8 with Ben: no reliable improvement on guided self-help. "
    "Agree with stepping up to CBT; re-measure in four weeks."
)
REVIEW_NOTE = (
    "Scores flat since week 4. Ask Ben to check attendance and medication adherence before the "
    "next review."
)
REVIEW_DISCUSS = (
    "Discuss at Thursday's case review with Ben: consider a medication review alongside therapy."
)


def _at(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(10, 30), tzinfo=ZoneInfo(zone))


def _answers(total: int) -> list[int]:
    """Nine PHQ-9 answers (0-3) adding up to `total`, item 9 (self-harm) always 0."""
    answers = [0] * 9
    for index in range(total):
        answers[index % 8] += 1
    return answers


def _demo_course(service: Service, team: CareTeam, ben: User, course: _Course) -> Patient:
    now = clock.now()
    started = now.date() - timedelta(weeks=course.weeks)
    patient = create_patient_for_seed(
        service=service,
        care_team=team,
        display_name=course.name,
        birth_year=1975 + course.weeks,
        gender=course.gender,
        time_zone=service.time_zone,
    )
    create_episode_for_seed(
        service=service,
        patient=patient,
        referred_on=started - timedelta(days=10),
        started_on=started,
        ending=EpisodeEnding.ONGOING,
    )
    for index, total in enumerate(course.phq9):
        submit_assessment(
            patient,
            actor=ben,
            instrument_id="phq9",
            answers=list(_answers(total)),
            client_id=uuid.uuid4(),
            source=SubmissionSource.SEED,
            completed_at=min(_at(started + timedelta(weeks=2 * index), "UTC"), now),
        )
    return patient


def _alert(patient: Patient, *, days_ago: int, picked_up_after: timedelta, ben: User) -> Alert:
    """A closed clinician-raised alert, picked up `picked_up_after` after it was raised."""
    raised = clock.now() - timedelta(days=days_ago)
    picked_up = raised + picked_up_after
    return new_alert_for_seed(
        service_id=patient.service_id,
        patient=patient,
        source=AlertSource.CLINICIAN,
        rule_id="clinician_raised",
        rule_version="1.0.0",
        severity="moderate",
        evidence={"reason": "Said on the phone they felt hopeless (demo)", "raised_by": "Ben"},
        status=AlertStatus.CLOSED,
        raised_at=raised,
        notified_at=raised,
        acknowledged_at=picked_up,
        acknowledged_by=ben,
        actioned_at=picked_up + timedelta(minutes=20),
        actioned_by=ben,
        outcome=AlertOutcome.CONTACTED_PATIENT,
        outcome_note="Called back; safety plan reviewed together (demo).",
        closed_at=picked_up + timedelta(minutes=25),
        closed_by=ben,
    )


def seed_demo_supervision(service: Service, users: Mapping[str, User]) -> None:
    """Four Team North courses of care 9-13 weeks long, steps for them and for Team North's
    other ongoing courses (Ada's too), three case reviews by Sam, and two handled alerts (one
    picked up late)."""
    if has_case_reviews_for_seed(service.id):
        return
    ben, sam = users["ben"], users["sam"]
    team = patients_visible_to(ben).filter(user=users["ada"]).get().care_team
    demo = [_demo_course(service, team, ben, course) for course in COURSES]
    bulk_create_alerts_for_seed(
        [
            _alert(demo[0], days_ago=12, picked_up_after=timedelta(minutes=52), ben=ben),
            _alert(demo[1], days_ago=4, picked_up_after=timedelta(minutes=6), ben=ben),
        ]
    )
    now = clock.now()
    episodes = {
        e.patient_id: e for e in ongoing_episodes_started_by(patients_visible_to(ben), now.date())
    }
    # Every ongoing course in Team North starts at step 2 the day after it started.
    for episode in episodes.values():
        is_ada = episode.patient.user_id == users["ada"].id
        _step(episode, None, CareStep.LOW_INTENSITY, ADA_STARTED if is_ada else STARTED, ben, 0)
    taro, ilse, quin, _sol = (episodes[patient.id] for patient in demo)
    _step(taro, CareStep.LOW_INTENSITY, CareStep.HIGH_INTENSITY, STEPPED_UP, ben, 6)
    _step(quin, CareStep.LOW_INTENSITY, CareStep.HIGH_INTENSITY, STEPPED_UP, ben, 5)
    _step(quin, CareStep.HIGH_INTENSITY, CareStep.SPECIALIST, SPECIALIST, sam, 11)
    for episode, note, outcome, week in (
        (taro, REVIEW_STEP_UP, ReviewOutcome.STEP_UP, 8),
        (ilse, REVIEW_NOTE, "", 9),
        (quin, REVIEW_DISCUSS, ReviewOutcome.DISCUSS, 10),
    ):
        create_case_review_for_seed(
            service_id=service.id,
            patient=episode.patient,
            episode=episode,
            reviewer=sam,
            reviewed_at=min(_at(episode.started_on + timedelta(weeks=week), "UTC"), now),
            outcome=outcome,
            note=note,
        )


def _step(
    episode: TreatmentEpisode,
    from_step: CareStep | None,
    to_step: CareStep,
    reason: str,
    by: User,
    week: int,
) -> None:
    changed = _at(episode.started_on + timedelta(weeks=week, days=1), episode.patient.time_zone)
    create_step_change_for_seed(
        service_id=episode.service_id,
        patient=episode.patient,
        episode=episode,
        from_step=from_step,
        to_step=to_step,
        reason=reason,
        changed_by=by,
        changed_at=min(changed, clock.now()),
    )
