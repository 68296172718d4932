"""System reads for the service dashboard's breakdowns (careloop.analytics): who each ended
episode and each patient is, by the groups an equity report compares (ethnicity, gender, age,
preferred language, deprivation quintile). No reader: the analytics report aggregates and
suppresses small groups before anyone sees a figure, and only a service's lead may open it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from careloop.care.models import Patient
from careloop.care.selectors.episodes import _ended_episodes


@dataclass(frozen=True)
class PatientGroups:
    """The equity-report fields of one patient (none of them identifies a person alone)."""

    birth_year: int | None
    gender: str
    ethnicity: str
    preferred_language: str
    deprivation_quintile: int | None


@dataclass(frozen=True)
class EndedEpisodeFacts:
    episode_id: uuid.UUID
    patient_id: uuid.UUID
    referred_on: date
    ending: str
    recorded_sessions: int | None


def patient_groups_for_system(service_id: uuid.UUID) -> dict[uuid.UUID, PatientGroups]:
    """System read for the service dashboard: every patient of the service by id, with only
    the fields the equity breakdowns group by (one query)."""
    rows = Patient.objects.filter(service_id=service_id).values_list(
        "id", "birth_year", "gender", "ethnicity", "preferred_language", "deprivation_quintile"
    )
    return {
        patient_id: PatientGroups(birth_year, gender, ethnicity, language, quintile)
        for patient_id, birth_year, gender, ethnicity, language, quintile in rows.iterator(
            chunk_size=5_000
        )
    }


def ended_episode_facts_for_system(
    service_id: uuid.UUID, *, ended_from: date | None = None, ended_to: date | None = None
) -> list[EndedEpisodeFacts]:
    """System read for the service dashboard: the service's ended episodes (those the NHS TT
    report counts for the same period) with their patient, referral day, ending and recorded
    sessions (one query)."""
    rows = _ended_episodes(service_id, ended_from, ended_to).values_list(
        "id", "patient_id", "referred_on", "ending", "treatment_sessions_attended"
    )
    return [EndedEpisodeFacts(*row) for row in rows.iterator(chunk_size=5_000)]
