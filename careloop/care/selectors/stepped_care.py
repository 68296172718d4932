"""Stepped care: the level of care of each treatment episode and its history (#13).

The current step of an episode is its latest SteppedCareChange (an append-only history written
by care.services.change_step). Reads of one patient take a Patient a selector handed out
(fails closed like every stream read: nothing for a patient no selector opened); reads over many
patients are expressions for rows the caller already took through the access decision.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery

from careloop.care.models import Patient, SteppedCareChange, TreatmentEpisode
from careloop.care.selectors.access import stream_visible
from careloop.care.selectors.episodes import open_episode
from careloop.care.types import CareStep, EpisodeEnding
from careloop.core.errors import NotFound
from careloop.privacy.policy import DataStream

if TYPE_CHECKING:
    from careloop.accounts.models import User

# The annotation with_current_step adds to patient rows (the registry filters on it).
CURRENT_STEP = "current_step"


@dataclass(frozen=True)
class StepChange:
    """One change of level, as shown to the care team (the reason is the clinician's text)."""

    id: uuid.UUID
    episode_id: uuid.UUID
    from_step: CareStep | None
    to_step: CareStep
    reason: str
    changed_by_name: str
    changed_at: datetime

    @property
    def is_step_up(self) -> bool:
        return self.from_step is not None and self.to_step > self.from_step

    @property
    def is_step_down(self) -> bool:
        return self.from_step is not None and self.to_step < self.from_step


@dataclass(frozen=True)
class SteppedCare:
    """A patient's open episode, its current step (None: not recorded) and its history."""

    episode: TreatmentEpisode | None
    current: CareStep | None
    history: list[StepChange]  # newest first


@dataclass(frozen=True)
class StepMarker:
    """A dated step change for the patient's chart (care-plan markers): no free text."""

    changed_on: date
    changed_at: datetime
    episode_id: uuid.UUID
    from_step: CareStep | None
    to_step: CareStep

    @property
    def label(self) -> str:
        return str(self.to_step.label)


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _as_change(row: SteppedCareChange) -> StepChange:
    return StepChange(
        id=row.id,
        episode_id=row.episode_id,
        from_step=CareStep(row.from_step) if row.from_step is not None else None,
        to_step=CareStep(row.to_step),
        reason=row.reason,
        changed_by_name=_name(row.changed_by),
        changed_at=row.changed_at,
    )


def stepped_care_of(patient: Patient) -> SteppedCare:
    """The open episode's step and its history (two queries). `patient` must come from a
    selector: a patient no selector opened shows nothing (fails closed)."""
    if not stream_visible(patient, DataStream.PROFILE):
        return SteppedCare(episode=None, current=None, history=[])
    episode = open_episode(patient)
    if episode is None:
        return SteppedCare(episode=None, current=None, history=[])
    rows = (
        SteppedCareChange.objects.filter(service_id=patient.service_id, episode=episode)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )
    history = [_as_change(row) for row in rows]
    return SteppedCare(
        episode=episode, current=history[0].to_step if history else None, history=history
    )


def step_markers_of(patient: Patient) -> list[StepMarker]:
    """Every step change of the patient (all episodes), oldest first, for the chart's care-plan
    markers; one query. `patient` must come from a selector (fails closed)."""
    if not stream_visible(patient, DataStream.PROFILE):
        return []
    rows = (
        SteppedCareChange.objects.filter(service_id=patient.service_id, patient=patient)
        .order_by("changed_at", "id")
        .values_list("changed_at", "episode_id", "from_step", "to_step")
    )
    zone = _zone(patient.time_zone)
    return [
        StepMarker(
            changed_on=changed_at.astimezone(zone).date(),
            changed_at=changed_at,
            episode_id=episode_id,
            from_step=CareStep(from_step) if from_step is not None else None,
            to_step=CareStep(to_step),
        )
        for changed_at, episode_id, from_step, to_step in rows
    ]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # a malformed stored zone: days differ only near midnight


def current_step_expression() -> Subquery:
    """A patient row's current step: the latest change within an ongoing episode (None when
    none is recorded). Correlated on the row's `pk` and `service_id` and read through the
    (service, patient, -changed_at) index: one index probe per row, no per-row Python."""
    latest = (
        SteppedCareChange.objects.filter(
            service_id=OuterRef("service_id"),
            patient_id=OuterRef("pk"),
            episode__ending=EpisodeEnding.ONGOING,
        )
        .order_by("-changed_at")
        .values("to_step")[:1]
    )
    return Subquery(latest, output_field=IntegerField())


def with_current_step(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """`patients` (already visible to the reader: from patients_visible_to and the like)
    annotated with `current_step` (a CareStep value, or None when not recorded).

    The registry filters on it, e.g. `.filter(**{CURRENT_STEP: CareStep.HIGH_INTENSITY})`, or
    `.filter(**{f"{CURRENT_STEP}__isnull": True})` for "not recorded"; it stays one SQL query.
    """
    return patients.annotate(**{CURRENT_STEP: current_step_expression()})


def episode_for_step_change(user: User, episode_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """(patient id, episode id) of an episode in `user`'s service, for the step form's URL; the
    caller then opens the patient with patient_visible_to (NotFound for anyone else), so this
    says nothing about a patient by itself. NotFound if there is no such episode."""
    if not user.is_authenticated or user.service_id is None:
        raise NotFound("episode")
    row = (
        TreatmentEpisode.objects.filter(service_id=user.service_id, id=episode_id)
        .values_list("patient_id", "id")
        .first()
    )
    if row is None:
        raise NotFound("episode")
    return row[0], row[1]


def episode_of_patient(patient: Patient, episode_id: uuid.UUID) -> TreatmentEpisode:
    """One episode of a patient a selector handed out; NotFound otherwise (fails closed)."""
    if not stream_visible(patient, DataStream.PROFILE):
        raise NotFound("episode")
    episode = TreatmentEpisode.objects.filter(
        service_id=patient.service_id, patient=patient, id=episode_id
    ).first()
    if episode is None:
        raise NotFound("episode")
    return episode


def ongoing_episodes_started_by(
    patients: QuerySet[Patient], started_by: date
) -> list[TreatmentEpisode]:
    """The ongoing episodes, started on or before `started_by`, of `patients` (rows the caller
    took through the access decision), each with its patient loaded and annotated with
    `current_step`; one query. For the supervision review list (weeks in treatment)."""
    return list(
        TreatmentEpisode.objects.filter(
            patient__in=patients.values("id"),
            ending=EpisodeEnding.ONGOING,
            started_on__lte=started_by,
        )
        .select_related("patient", "patient__care_team")
        .annotate(
            **{
                CURRENT_STEP: Subquery(
                    SteppedCareChange.objects.filter(episode_id=OuterRef("pk"))
                    .order_by("-changed_at")
                    .values("to_step")[:1],
                    output_field=IntegerField(),
                )
            }
        )
        .order_by("started_on", "id")
    )
