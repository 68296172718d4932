"""Treatment episodes: the open one, a patient's history, and the system reads the outcome
engine and service reports make over them (counts, referrals, research quasi-identifiers)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from careloop.accounts.types import Role
from careloop.care.models import Patient, TreatmentEpisode
from careloop.care.selectors.access import stream_visible
from careloop.care.types import EpisodeEnding
from careloop.privacy.policy import (
    DataStream,
)

if TYPE_CHECKING:
    pass


# --- Treatment episodes ------------------------------------------------------------------------
# Episodes say nothing clinical on their own (dates, ending, sessions attended): these reads take a
# patient a selector handed out, or are a trusted system read named so (reports, worker jobs).

ENDED_EPISODE_ENDINGS = (EpisodeEnding.COMPLETED, EpisodeEnding.DROPPED_OUT)


def open_episode(patient: Patient) -> TreatmentEpisode | None:
    """The patient's open (ongoing) treatment episode, the latest started if several, or None.
    `patient` must come from a selector; a new submission, check-in or plan is filed under it."""
    return (
        TreatmentEpisode.objects.filter(
            service_id=patient.service_id, patient=patient, ending=EpisodeEnding.ONGOING
        )
        .order_by("-started_on")
        .first()
    )


def episodes_of(patient: Patient) -> list[TreatmentEpisode]:
    """A patient's treatment episodes, oldest first. `patient` must come from a selector (or
    `for_system`): none otherwise (fails closed, as stream_visible)."""
    if not stream_visible(patient, DataStream.PROFILE):
        return []
    return list(
        TreatmentEpisode.objects.filter(service_id=patient.service_id, patient=patient).order_by(
            "started_on", "id"
        )
    )


def in_care_ids(patient_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Who is still in care: an ongoing episode, or no episode recorded yet (one query).

    After discharge nothing is due and nothing is missed: the registry must not chase people
    who finished or left treatment (reminders follow the same rule). The ids come from patients
    the caller already holds (a selector's, or a worker's own rows).
    """
    episodes: dict[uuid.UUID, set[str]] = {}
    rows = TreatmentEpisode.objects.filter(patient_id__in=patient_ids)
    for patient_id, ending in rows.values_list("patient_id", "ending"):
        episodes.setdefault(patient_id, set()).add(ending)
    return {
        patient_id
        for patient_id in patient_ids
        if patient_id not in episodes or EpisodeEnding.ONGOING in episodes[patient_id]
    }


def patients_who_can_sign_in_for_system() -> QuerySet[Patient]:
    """System read for worker jobs (every service): patients with an active patient login."""
    return Patient.objects.filter(user__isnull=False, user__is_active=True, user__role=Role.PATIENT)


def with_current_episode(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """`patients` (already visible to the reader) annotated with their latest-started episode:
    `current_episode_id`, `current_episode_ending` and `current_episode_started_on` (None when
    no episode is recorded)."""
    current = TreatmentEpisode.objects.filter(
        service_id=OuterRef("service_id"), patient_id=OuterRef("pk")
    ).order_by("-started_on")
    return patients.annotate(
        current_episode_id=Subquery(current.values("id")[:1]),
        current_episode_ending=Subquery(current.values("ending")[:1]),
        current_episode_started_on=Subquery(current.values("started_on")[:1]),
    )


def _ended_episodes(
    service_id: uuid.UUID, ended_from: date | None, ended_to: date | None
) -> QuerySet[TreatmentEpisode]:
    condition = Q(ending__in=ENDED_EPISODE_ENDINGS)
    if ended_from is not None:
        condition &= Q(ended_on__gte=ended_from)
    if ended_to is not None:
        condition &= Q(ended_on__lte=ended_to)
    return TreatmentEpisode.objects.filter(condition, service_id=service_id)


def ended_episode_pages_for_system(
    service_id: uuid.UUID,
    *,
    ended_from: date | None = None,
    ended_to: date | None = None,
    page_size: int,
) -> Iterator[list[tuple[uuid.UUID, int | None, str]]]:
    """System read for service reports (no reader: aggregated before anyone sees it): the
    service's ended episodes as (id, recorded sessions, patient time zone), a page at a time,
    by id (keyset pagination, so memory holds one page)."""
    episodes = (
        _ended_episodes(service_id, ended_from, ended_to)
        .order_by("id")
        .values_list("id", "treatment_sessions_attended", "patient__time_zone")
    )
    after: uuid.UUID | None = None
    while True:
        page = list((episodes if after is None else episodes.filter(id__gt=after))[:page_size])
        if not page:
            return
        yield page
        after = page[-1][0]


def count_ended_episodes_for_system(
    service_id: uuid.UUID,
    *,
    ended_from: date | None = None,
    ended_to: date | None = None,
    excluding: Exists | None = None,
) -> tuple[int, int]:
    """System read for service reports: (ended, of which finished by recorded sessions, i.e. at
    least two) among the service's ended episodes, leaving out those `excluding` matches (an
    Exists correlated to the episode's `pk`, from the domain that owns the condition)."""
    episodes = _ended_episodes(service_id, ended_from, ended_to)
    if excluding is not None:
        episodes = episodes.exclude(excluding)
    counts = episodes.aggregate(
        ended=Count("id"), finished=Count("id", filter=Q(treatment_sessions_attended__gte=2))
    )
    return counts["ended"], counts["finished"]


# System reads for analytics (service reports, research extracts). The caller decides who is in
# them (a report is aggregated; an extract holds only patients consenting to research, checked
# through privacy.consent) and audits the release.


def referral_count_for_system(
    service_id: uuid.UUID, *, referred_from: date | None, referred_to: date | None
) -> int:
    """Episodes referred in the period (all of them without a period): one COUNT query."""
    episodes = TreatmentEpisode.objects.filter(service_id=service_id)
    if referred_from is not None:
        episodes = episodes.filter(referred_on__gte=referred_from)
    if referred_to is not None:
        episodes = episodes.filter(referred_on__lte=referred_to)
    return episodes.count()


def research_demographics_for_system(patient_ids: Iterable[uuid.UUID]) -> QuerySet[Patient]:
    """These patients (never an erased one), loaded with only the research quasi-identifiers:
    birth year, gender, ethnicity and deprivation quintile."""
    return Patient.objects.filter(id__in=patient_ids, erased_at__isnull=True).only(
        "id", "birth_year", "gender", "ethnicity", "deprivation_quintile"
    )


def first_episode_starts_for_system(patient_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, date]:
    """When each of these patients' first course of care started (absent when none)."""
    starts: dict[uuid.UUID, date] = {}
    episodes = TreatmentEpisode.objects.filter(patient_id__in=patient_ids).order_by("started_on")
    for patient_id, started in episodes.values_list("patient_id", "started_on"):
        starts.setdefault(patient_id, started)
    return starts
