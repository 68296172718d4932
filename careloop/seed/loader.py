"""Bulk-load a synthetic population into one service: teams, staff, patients, episodes, scored
PHQ-9 and GAD-7 answers, and alerts for recent risk answers.

Rows are built in memory a chunk of patients at a time, so 100k patients x 12 weeks (~2.4M
assessments) stays in constant memory, and each owning domain writes its own rows through its
`bulk_create_..._for_seed` service (COPY on PostgreSQL, careloop.core.bulk). Every id is
derived from the seed, so the same parameters give identical rows in either database.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from careloop.accounts.services import ensure_user_for_seed, set_password_for_seed
from careloop.accounts.types import Role
from careloop.assessments.selectors import assessment_rows_for_seed
from careloop.assessments.services import (
    bulk_create_assessments_for_seed,
    new_assessment_for_seed,
)
from careloop.assessments.types import SubmissionSource
from careloop.care.selectors import population_rows_for_seed
from careloop.care.services import (
    bulk_create_episodes_for_seed,
    bulk_create_patients_for_seed,
    ensure_care_team,
    ensure_team_membership_for_seed,
    new_episode_for_seed,
    new_patient_for_seed,
)
from careloop.care.types import EpisodeEnding
from careloop.core.ids import uuid7
from careloop.instruments.library import get_instrument
from careloop.instruments.scoring import score
from careloop.safety.rules import signals_from_risk_flags
from careloop.safety.selectors import alert_rows_for_seed
from careloop.safety.services import bulk_create_alerts_for_seed, new_alert_for_seed
from careloop.seed.population import (
    PopulationSpec,
    SyntheticMeasurement,
    SyntheticPatient,
    generate_population,
    generate_staff,
)

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment
    from careloop.care.models import CareTeam, Patient, TreatmentEpisode
    from careloop.core.models import Service
    from careloop.safety.models import Alert

CHUNK_PATIENTS = 1000
RECENT_RISK_DAYS = 14  # risk answers this recent, in open episodes, still need a clinician


@dataclass
class LoadReport:
    patients: int = 0
    episodes: int = 0
    assessments: int = 0
    alerts: int = 0
    staff: int = 0
    teams: list[CareTeam] = field(default_factory=list)


class _Ids:
    """Deterministic time-ordered UUIDs: the timestamp is the row's own time, the rest seeded."""

    def __init__(self, key: str) -> None:
        self._rng = random.Random(key)

    def at(self, moment: datetime) -> uuid.UUID:
        return uuid7(int(moment.timestamp() * 1000), self._rng.getrandbits(80).to_bytes(10, "big"))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC)


def ensure_teams(service: Service, count: int, names: list[str] | None = None) -> list[CareTeam]:
    teams = []
    for index in range(count):
        name = names[index] if names else f"Team {index + 1}"
        teams.append(ensure_care_team(service.id, name))
    return teams


def load_staff(spec: PopulationSpec, service: Service, teams: list[CareTeam]) -> int:
    """Create the synthetic staff (no usable password: they are load and demo fixtures)."""
    created = 0
    for member in generate_staff(spec):
        username = f"{service.slug}-{member.username}"
        user, is_new = ensure_user_for_seed(
            username,
            defaults={
                "role": Role(member.role.value),
                "service": service,
                "first_name": member.display_name,
            },
        )
        if is_new:
            set_password_for_seed(user, None)
            created += 1
        if member.team_index is not None:
            ensure_team_membership_for_seed(service.id, teams[member.team_index], user)
    return created


def _assessment_rows(
    service: Service,
    patient: Patient,
    episode: TreatmentEpisode,
    measurement: SyntheticMeasurement,
    ids: _Ids,
) -> list[Assessment]:
    rows = []
    for instrument_id, items in (
        ("phq9", measurement.phq9_items),
        ("gad7", measurement.gad7_items),
    ):
        result = score(instrument_id, list(items))
        rows.append(
            new_assessment_for_seed(
                id=ids.at(measurement.taken_at),
                service=service,
                patient=patient,
                episode=episode,
                instrument_id=instrument_id,
                instrument_version=get_instrument(instrument_id).versioned_id,
                answers=list(items),
                score_total=result.total,
                band=result.band or "",
                caseness=result.caseness,
                prorated=result.prorated,
                risk_flags=[asdict(flag) for flag in result.risk_flags],
                completed_at=measurement.taken_at,
                recorded_at=measurement.taken_at,
                source=SubmissionSource.SEED,
                client_id=ids.at(measurement.taken_at),
            )
        )
    return rows


def _alert_rows(
    service: Service, assessments: list[Assessment], since: datetime, ids: _Ids
) -> list[Alert]:
    alerts = []
    for assessment in assessments:
        if assessment.completed_at < since or not assessment.risk_flags:
            continue
        for signal in signals_from_risk_flags(assessment.instrument_version, assessment.risk_flags):
            alerts.append(
                new_alert_for_seed(
                    id=ids.at(assessment.completed_at),
                    service=service,
                    patient=assessment.patient,
                    assessment=assessment,
                    rule_id=signal.rule_id,
                    rule_version=signal.rule_version,
                    severity=signal.severity,
                    evidence=dict(signal.evidence),
                    raised_at=assessment.completed_at,
                )
            )
    return alerts


@dataclass
class _Chunk:
    patients: list[Patient] = field(default_factory=list)
    episodes: list[TreatmentEpisode] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    def write(self, report: LoadReport) -> None:
        bulk_create_patients_for_seed(self.patients)
        bulk_create_episodes_for_seed(self.episodes)
        bulk_create_assessments_for_seed(self.assessments)
        bulk_create_alerts_for_seed(self.alerts)
        report.patients += len(self.patients)
        report.episodes += len(self.episodes)
        report.assessments += len(self.assessments)
        report.alerts += len(self.alerts)


def _add_patient(
    chunk: _Chunk,
    spec: PopulationSpec,
    service: Service,
    teams: list[CareTeam],
    synthetic: SyntheticPatient,
) -> None:
    ids = _Ids(f"careloop:{spec.seed}:ids:{service.slug}:{synthetic.index}")
    episode_data = synthetic.episode
    referred_at = _day_start(episode_data.referral_date)
    patient = new_patient_for_seed(
        id=ids.at(referred_at),
        service=service,
        care_team=teams[synthetic.team_index % len(teams)],
        display_name=synthetic.display_name,
        birth_year=synthetic.birth_year,
        gender=synthetic.gender.value,
        ethnicity=synthetic.ethnicity.value,
        preferred_language=synthetic.preferred_language,
        time_zone=synthetic.time_zone,
        deprivation_quintile=synthetic.deprivation_quintile,
        created_at=referred_at,
    )
    episode = new_episode_for_seed(
        id=ids.at(referred_at),
        service=service,
        patient=patient,
        referred_on=episode_data.referral_date,
        started_on=episode_data.start_date,
        ended_on=episode_data.end_date,
        ending=EpisodeEnding(episode_data.ending.value),
        # Proxy: each weekly measurement after the week-0 assessment was taken at an attended
        # treatment session (the synthetic course has no separate appointment record).
        treatment_sessions_attended=len(episode_data.measurements) - 1,
    )
    assessments = [
        row
        for measurement in episode_data.measurements
        for row in _assessment_rows(service, patient, episode, measurement, ids)
    ]
    chunk.patients.append(patient)
    chunk.episodes.append(episode)
    chunk.assessments.extend(assessments)
    if episode.ending == EpisodeEnding.ONGOING:
        since = _day_start(spec.end_date) - timedelta(days=RECENT_RISK_DAYS)
        chunk.alerts.extend(_alert_rows(service, assessments, since, ids))


def _chunks(spec: PopulationSpec) -> Iterator[list[SyntheticPatient]]:
    batch: list[SyntheticPatient] = []
    for synthetic in generate_population(spec):
        batch.append(synthetic)
        if len(batch) == CHUNK_PATIENTS:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def load_population(spec: PopulationSpec, service: Service, teams: list[CareTeam]) -> LoadReport:
    """Write the whole population into `service` in one transaction: all of it or nothing."""
    report = LoadReport(teams=teams)
    report.staff = load_staff(spec, service, teams)
    for batch in _chunks(spec):
        chunk = _Chunk()
        for synthetic in batch:
            _add_patient(chunk, spec, service, teams, synthetic)
        chunk.write(report)
    return report


def population_digest(service: Service) -> str:
    """SHA-256 over the service's clinical rows in id order: equal digests, identical data."""
    digest = hashlib.sha256()
    queries = [
        *population_rows_for_seed(service.id),
        assessment_rows_for_seed(service.id),
        alert_rows_for_seed(service.id),
    ]
    for query in queries:
        for row in query.iterator(chunk_size=10000):
            digest.update(json.dumps(row, default=str, sort_keys=True).encode())
    return digest.hexdigest()
