"""A deterministic, pure generator of a synthetic patient population and its care staff.

Standard library only, no Django: the loader in this package turns these frozen records into
rows. Everything is pseudonymous and made up; no name comes from a list of real people.

Determinism: patient `i` is drawn from its own `random.Random(f"careloop:{seed}:patient:{i}")`
(string seeds are hashed with SHA-512 by `random`, unlike `hash()`, so they are stable across
processes), so the same spec gives identical records in any process and any patient can be
generated on its own. Nothing reads the clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from careloop.seed.trajectories import (
    GAD7_RELIABLE_CHANGE,
    PHQ9_RELIABLE_CHANGE,
    Ending,
    OutcomeClass,
    SyntheticEpisode,
    SyntheticMeasurement,
    WeightedTable,
    generate_episode,
    is_case,
    uniform_int,
)

__all__ = [
    "Ending",
    "Ethnicity",
    "Gender",
    "OutcomeClass",
    "PopulationSpec",
    "PopulationSummary",
    "StaffRole",
    "SyntheticEpisode",
    "SyntheticMeasurement",
    "SyntheticPatient",
    "SyntheticStaff",
    "generate_patient",
    "generate_population",
    "generate_staff",
    "summarise",
]


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Ethnicity(StrEnum):
    """UK 2021 census high-level ethnic groups, plus "not stated"."""

    WHITE = "white"
    MIXED = "mixed"
    ASIAN = "asian"
    BLACK = "black"
    OTHER = "other"
    NOT_STATED = "not_stated"


class StaffRole(StrEnum):
    SERVICE_ADMIN = "service_admin"
    CLINICIAN = "clinician"  # care manager
    SUPERVISOR = "supervisor"  # psychiatric consultant


@dataclass(frozen=True)
class PopulationSpec:
    """What to generate.

    `weeks` is the longest planned course (sessions after the week-0 assessment); courses plan
    6..weeks sessions and referrals fall in the last `weeks` + 26 weeks before `end_date`.
    Defaults: one service of four care teams.
    """

    patients: int
    weeks: int
    seed: int
    end_date: date
    teams_per_service: int = 4
    services: int = 1

    def __post_init__(self) -> None:
        if self.patients < 0:
            raise ValueError("patients must be zero or more")
        if self.weeks < 1 or self.teams_per_service < 1 or self.services < 1:
            raise ValueError("weeks, teams_per_service and services must be at least 1")


@dataclass(frozen=True, slots=True)
class SyntheticPatient:
    index: int  # 0..patients-1
    service_index: int
    team_index: int  # within the service
    display_name: str
    birth_year: int
    age_years: int  # at spec.end_date
    gender: Gender
    ethnicity: Ethnicity
    preferred_language: str  # BCP-47
    time_zone: str  # IANA
    deprivation_quintile: int  # 1 = most deprived (English IMD convention) .. 5
    episode: SyntheticEpisode


@dataclass(frozen=True, slots=True)
class SyntheticStaff:
    username: str
    display_name: str
    role: StaffRole
    service_index: int
    team_index: int | None  # None for the service admin


# Roughly adult psychological-therapy referrals: about two thirds women.
GENDERS = WeightedTable(
    [
        (Gender.FEMALE, 65.0),
        (Gender.MALE, 32.0),
        (Gender.NON_BINARY, 1.5),
        (Gender.PREFER_NOT_TO_SAY, 1.5),
    ]
)
# Illustrative proportions, roughly those of referrals to English NHS Talking Therapies
# services; not official statistics.
ETHNICITIES = WeightedTable(
    [
        (Ethnicity.WHITE, 76.0),
        (Ethnicity.MIXED, 3.0),
        (Ethnicity.ASIAN, 7.0),
        (Ethnicity.BLACK, 4.0),
        (Ethnicity.OTHER, 2.0),
        (Ethnicity.NOT_STATED, 8.0),
    ]
)
# Illustrative: mostly English, then languages common among UK service users (BCP-47).
LANGUAGES = WeightedTable(
    [
        ("en", 92.0),
        ("pl", 1.6),
        ("ur", 1.2),
        ("ar", 1.0),
        ("pa", 0.8),
        ("bn", 0.7),
        ("ro", 0.7),
        ("pt", 0.6),
        ("es", 0.6),
        ("so", 0.4),
        ("de", 0.4),
    ]
)
# A UK service; a few patients near the border live in the Republic of Ireland.
TIME_ZONES = WeightedTable([("Europe/London", 98.0), ("Europe/Dublin", 2.0)])
# Services see more people from deprived areas (quintile 1 = most deprived).
DEPRIVATION_QUINTILES = WeightedTable([(1, 28.0), (2, 24.0), (3, 19.0), (4, 16.0), (5, 13.0)])
# Adults of working age predominate; (youngest, oldest) age in years, with relative weight.
AGE_BANDS = WeightedTable(
    [
        ((18, 24), 16.0),
        ((25, 34), 25.0),
        ((35, 44), 21.0),
        ((45, 54), 17.0),
        ((55, 64), 13.0),
        ((65, 90), 8.0),
    ]
)

# Syllables for invented names; drawn uniformly, so repeats make a sound more frequent.
_ONSETS: tuple[str, ...] = (
    "b",
    "d",
    "f",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
)
_ONSETS += ("br", "dr", "kl", "st", "th", "tr", "sh")
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "ei", "ou")
_CODAS = ("", "", "", "n", "r", "l", "s", "th", "m", "k")


def generate_population(spec: PopulationSpec) -> Iterator[SyntheticPatient]:
    """Yield patients 0..N-1 one at a time, in index order, in constant memory."""
    for index in range(spec.patients):
        yield generate_patient(spec, index)


def generate_patient(spec: PopulationSpec, index: int) -> SyntheticPatient:
    """Patient `index` of the population, independent of every other patient."""
    rng = random.Random(f"careloop:{spec.seed}:patient:{index}")
    age_years = uniform_int(rng.random, *AGE_BANDS.draw(rng))
    has_had_birthday = rng.random() < _year_elapsed(spec.end_date)
    return SyntheticPatient(
        index=index,
        service_index=uniform_int(rng.random, 0, spec.services - 1),
        team_index=uniform_int(rng.random, 0, spec.teams_per_service - 1),
        display_name=_pseudonym(rng),
        birth_year=spec.end_date.year - age_years - (0 if has_had_birthday else 1),
        age_years=age_years,
        gender=GENDERS.draw(rng),
        ethnicity=ETHNICITIES.draw(rng),
        preferred_language=LANGUAGES.draw(rng),
        time_zone=TIME_ZONES.draw(rng),
        deprivation_quintile=DEPRIVATION_QUINTILES.draw(rng),
        episode=generate_episode(rng, end_date=spec.end_date, weeks=spec.weeks),
    )


@cache
def _year_elapsed(day: date) -> float:
    """The share of the year before `day`: the chance a birthday has already passed."""
    return (day - date(day.year, 1, 1)).days / 365


def generate_staff(spec: PopulationSpec) -> list[SyntheticStaff]:
    """Per service one admin; per team 2-3 clinicians (care managers) and one supervisor."""
    staff: list[SyntheticStaff] = []
    for service in range(spec.services):
        rng = random.Random(f"careloop:{spec.seed}:staff:{service}")
        staff.append(
            SyntheticStaff(
                f"admin-s{service}", _pseudonym(rng), StaffRole.SERVICE_ADMIN, service, None
            )
        )
        for team in range(spec.teams_per_service):
            staff.extend(_team_staff(rng, service, team))
    return staff


def _team_staff(rng: random.Random, service: int, team: int) -> list[SyntheticStaff]:
    prefix = f"s{service}-t{team}"
    members = [
        SyntheticStaff(
            f"clinician-{prefix}-{n}", _pseudonym(rng), StaffRole.CLINICIAN, service, team
        )
        for n in range(uniform_int(rng.random, 2, 3))
    ]
    members.append(
        SyntheticStaff(f"supervisor-{prefix}", _pseudonym(rng), StaffRole.SUPERVISOR, service, team)
    )
    return members


def _pseudonym(rng: random.Random) -> str:
    """Two invented, syllable-built tokens, such as "Kenak Raitril"."""
    draw = rng.random
    return f"{_token(draw, 2)} {_token(draw, uniform_int(draw, 2, 3))}"


def _token(draw: Callable[[], float], syllables: int) -> str:
    body = "".join(_pick(draw, _ONSETS) + _pick(draw, _VOWELS) for _ in range(syllables))
    return (body + _pick(draw, _CODAS)).capitalize()


def _pick(draw: Callable[[], float], options: tuple[str, ...]) -> str:
    return options[int(draw() * len(options))]


@dataclass(frozen=True)
class PopulationSummary:
    """Realised rates, with the NHS Talking Therapies definitions (clinical spec §15).

    - finished: the course has ended (completed or dropped out) with >= 2 measurements;
      first and last measurement are compared.
    - recovery rate: recovered / finished courses at caseness at the first measurement, where
      caseness is PHQ-9 >= 10 and/or GAD-7 >= 8 and recovered means a case at the first and not
      a case on either measure at the last.
    - reliable improvement rate: finished courses with PHQ-9 down >= 6 or GAD-7 down >= 4 and
      no reliable deterioration on the other, over all finished courses.
    - reliable deterioration rate: finished courses with PHQ-9 up >= 6 or GAD-7 up >= 4.
    - reliable recovery rate: recovered and reliably improved, over finished cases.
    - drop-out rate: dropped out / ended courses (ongoing courses excluded).
    - item-9 and baseline means: over all patients' first measurement.
    """

    patients: int
    measurements: int
    ongoing: int
    finished: int
    finished_cases: int
    recovery_rate: float
    reliable_improvement_rate: float
    reliable_deterioration_rate: float
    reliable_recovery_rate: float
    dropout_rate: float
    item9_positive_at_baseline_rate: float
    caseness_at_baseline_rate: float
    mean_baseline_phq9: float
    mean_baseline_gad7: float
    mean_last_phq9_finished: float
    mean_last_gad7_finished: float


@dataclass
class _Tally:
    patients: int = 0
    measurements: int = 0
    ongoing: int = 0
    ended: int = 0
    dropped_out: int = 0
    finished: int = 0
    finished_cases: int = 0
    recovered: int = 0
    reliably_improved: int = 0
    reliably_deteriorated: int = 0
    reliably_recovered: int = 0
    item9_positive: int = 0
    baseline_cases: int = 0
    baseline_phq9_sum: int = 0
    baseline_gad7_sum: int = 0
    last_phq9_sum: int = 0
    last_gad7_sum: int = 0

    def add(self, episode: SyntheticEpisode) -> None:
        first = episode.measurements[0]
        self.patients += 1
        self.measurements += len(episode.measurements)
        self.item9_positive += first.phq9_items[8] > 0
        self.baseline_cases += is_case(first.phq9_total, first.gad7_total)
        self.baseline_phq9_sum += first.phq9_total
        self.baseline_gad7_sum += first.gad7_total
        if episode.ending == Ending.ONGOING:
            self.ongoing += 1
            return
        self.ended += 1
        self.dropped_out += episode.ending == Ending.DROPPED_OUT
        if len(episode.measurements) >= 2:
            self.add_finished(first, episode.measurements[-1])

    def add_finished(self, first: SyntheticMeasurement, last: SyntheticMeasurement) -> None:
        phq9_change = last.phq9_total - first.phq9_total
        gad7_change = last.gad7_total - first.gad7_total
        has_improved = phq9_change <= -PHQ9_RELIABLE_CHANGE or gad7_change <= -GAD7_RELIABLE_CHANGE
        has_deteriorated = (
            phq9_change >= PHQ9_RELIABLE_CHANGE or gad7_change >= GAD7_RELIABLE_CHANGE
        )
        was_case = is_case(first.phq9_total, first.gad7_total)
        has_recovered = was_case and not is_case(last.phq9_total, last.gad7_total)
        self.finished += 1
        self.finished_cases += was_case
        self.recovered += has_recovered
        self.reliably_improved += has_improved and not has_deteriorated
        self.reliably_deteriorated += has_deteriorated
        self.reliably_recovered += has_recovered and has_improved and not has_deteriorated
        self.last_phq9_sum += last.phq9_total
        self.last_gad7_sum += last.gad7_total


def summarise(patients: Iterable[SyntheticPatient]) -> PopulationSummary:
    """Realised outcome rates of a population, in one pass (see `PopulationSummary`)."""
    tally = _Tally()
    for patient in patients:
        tally.add(patient.episode)
    return PopulationSummary(
        patients=tally.patients,
        measurements=tally.measurements,
        ongoing=tally.ongoing,
        finished=tally.finished,
        finished_cases=tally.finished_cases,
        recovery_rate=_rate(tally.recovered, tally.finished_cases),
        reliable_improvement_rate=_rate(tally.reliably_improved, tally.finished),
        reliable_deterioration_rate=_rate(tally.reliably_deteriorated, tally.finished),
        reliable_recovery_rate=_rate(tally.reliably_recovered, tally.finished_cases),
        dropout_rate=_rate(tally.dropped_out, tally.ended),
        item9_positive_at_baseline_rate=_rate(tally.item9_positive, tally.patients),
        caseness_at_baseline_rate=_rate(tally.baseline_cases, tally.patients),
        mean_baseline_phq9=_rate(tally.baseline_phq9_sum, tally.patients),
        mean_baseline_gad7=_rate(tally.baseline_gad7_sum, tally.patients),
        mean_last_phq9_finished=_rate(tally.last_phq9_sum, tally.finished),
        mean_last_gad7_finished=_rate(tally.last_gad7_sum, tally.finished),
    )


def _rate(count: int, total: int) -> float:
    return count / total if total else 0.0
