"""The synthetic population: deterministic, internally consistent and calibrated to NHS TT rates."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from careloop.seed.population import (
    Ending,
    Ethnicity,
    Gender,
    OutcomeClass,
    PopulationSpec,
    StaffRole,
    SyntheticEpisode,
    SyntheticMeasurement,
    SyntheticPatient,
    generate_patient,
    generate_population,
    generate_staff,
    summarise,
)
from careloop.seed.trajectories import (
    GAD7_ITEM_WEIGHTS,
    PHQ9_ITEM_WEIGHTS,
    ItemWeights,
    phq9_answers,
    spread_total,
)

END = date(2025, 11, 1)
SPEC = PopulationSpec(patients=3000, weeks=12, seed=20251101, end_date=END)
REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def population() -> list[SyntheticPatient]:
    return list(generate_population(SPEC))


def _digest(spec: PopulationSpec) -> str:
    return hashlib.sha256(repr(list(generate_population(spec))).encode()).hexdigest()


# Determinism


def test_same_spec_gives_identical_patients() -> None:
    spec = PopulationSpec(patients=200, weeks=12, seed=7, end_date=END)
    first, second = list(generate_population(spec)), list(generate_population(spec))
    assert first == second
    assert repr(first) == repr(second)


def test_same_spec_gives_identical_patients_in_another_process() -> None:
    spec = PopulationSpec(patients=200, weeks=12, seed=7, end_date=END)
    script = (
        "import hashlib, datetime\n"
        "from careloop.seed.population import PopulationSpec, generate_population\n"
        "end = datetime.date(2025, 11, 1)\n"
        "spec = PopulationSpec(patients=200, weeks=12, seed=7, end_date=end)\n"
        "print(hashlib.sha256(repr(list(generate_population(spec))).encode()).hexdigest())\n"
    )
    # A different string-hash seed would change anything that depended on hash() or set order.
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(  # noqa: S603 - our own interpreter running a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == _digest(spec)


def test_different_seeds_give_different_patients() -> None:
    one = list(generate_population(PopulationSpec(patients=50, weeks=12, seed=1, end_date=END)))
    two = list(generate_population(PopulationSpec(patients=50, weeks=12, seed=2, end_date=END)))
    assert [p.display_name for p in one] != [p.display_name for p in two]
    assert sum(a.episode != b.episode for a, b in zip(one, two, strict=True)) >= 45


def test_a_patient_does_not_depend_on_population_size() -> None:
    small = PopulationSpec(patients=10, weeks=12, seed=3, end_date=END)
    large = PopulationSpec(patients=1000, weeks=12, seed=3, end_date=END)
    assert list(generate_population(small))[9] == generate_patient(large, 9)


def test_population_is_streamed() -> None:
    patients = generate_population(PopulationSpec(patients=10**9, weeks=12, seed=1, end_date=END))
    assert isinstance(patients, Iterator)
    assert next(patients).index == 0
    assert next(patients).index == 1


@pytest.mark.parametrize(
    "kwargs",
    [{"patients": -1}, {"weeks": 0}, {"teams_per_service": 0}, {"services": 0}],
)
def test_spec_rejects_impossible_values(kwargs: dict[str, int]) -> None:
    values = {"patients": 10, "weeks": 12, "seed": 1, "end_date": END, **kwargs}
    with pytest.raises(ValueError, match="must be"):
        PopulationSpec(**values)  # type: ignore[arg-type]


# Item answers


@pytest.mark.parametrize("base_weights", [PHQ9_ITEM_WEIGHTS, GAD7_ITEM_WEIGHTS])
def test_spread_total_sums_exactly_with_every_item_in_range(
    base_weights: tuple[float, ...],
) -> None:
    rng = random.Random(1)
    weights = ItemWeights.from_weights(base_weights)
    for total in range(3 * len(base_weights) + 1):
        for _ in range(50):
            answers = spread_total(rng, total, weights)
            assert len(answers) == len(base_weights)
            assert sum(answers) == total
            assert all(0 <= a <= 3 for a in answers)


def test_spread_total_rejects_a_total_that_cannot_fit() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        spread_total(random.Random(1), 25, ItemWeights.from_weights(PHQ9_ITEM_WEIGHTS))


def test_phq9_answers_keep_the_total_whatever_item9_is_asked_for() -> None:
    rng = random.Random(2)
    weights = ItemWeights.from_weights(PHQ9_ITEM_WEIGHTS)
    for total in range(28):
        for item9 in range(4):
            answers = phq9_answers(rng, total, weights, item9)
            assert len(answers) == 9
            assert sum(answers) == total
            assert all(0 <= a <= 3 for a in answers)
            if item9 <= total and total - item9 <= 24:
                assert answers[8] == item9


def test_every_measurement_has_nine_and_seven_answers_in_range(
    population: list[SyntheticPatient],
) -> None:
    for measurement in _measurements(population):
        assert len(measurement.phq9_items) == 9
        assert len(measurement.gad7_items) == 7
        assert all(0 <= a <= 3 for a in measurement.phq9_items + measurement.gad7_items)


def test_core_symptoms_are_endorsed_more_than_the_others(
    population: list[SyntheticPatient],
) -> None:
    baselines = [p.episode.measurements[0] for p in population]
    phq9_means = [sum(m.phq9_items[i] for m in baselines) / len(baselines) for i in range(9)]
    gad7_means = [sum(m.gad7_items[i] for m in baselines) / len(baselines) for i in range(7)]
    assert min(phq9_means[:4]) > max(phq9_means[4:])  # items 1-4 above items 5-9
    assert phq9_means[8] == min(phq9_means)  # self-harm thoughts are the least endorsed
    assert min(gad7_means[:4]) > gad7_means[4]  # worry and tension above restlessness


def test_item9_is_more_often_positive_in_severe_depression(
    population: list[SyntheticPatient],
) -> None:
    baselines = [p.episode.measurements[0] for p in population]
    severe = [m.phq9_items[8] > 0 for m in baselines if m.phq9_total >= 20]
    moderate = [m.phq9_items[8] > 0 for m in baselines if 10 <= m.phq9_total < 15]
    assert sum(severe) / len(severe) > 2 * sum(moderate) / len(moderate)


def test_item9_is_occasionally_positive_after_baseline(
    population: list[SyntheticPatient],
) -> None:
    later = [m for p in population for m in p.episode.measurements[1:]]
    rate = sum(m.phq9_items[8] > 0 for m in later) / len(later)
    assert 0.01 < rate < 0.12


# Calibration (NHS Talking Therapies definitions, see `PopulationSummary`)


def test_outcome_rates_match_published_rates(population: list[SyntheticPatient]) -> None:
    summary = summarise(population)
    assert summary.finished > 1500
    assert 0.40 <= summary.recovery_rate <= 0.60
    assert 0.55 <= summary.reliable_improvement_rate <= 0.78
    assert 0.02 <= summary.reliable_deterioration_rate <= 0.12
    assert 0.25 <= summary.dropout_rate <= 0.45
    assert 0.07 <= summary.item9_positive_at_baseline_rate <= 0.20


def test_baseline_severity_matches_referrals_to_therapy(
    population: list[SyntheticPatient],
) -> None:
    summary = summarise(population)
    assert summary.caseness_at_baseline_rate >= 0.97
    assert 14.5 <= summary.mean_baseline_phq9 <= 17.0
    assert 12.0 <= summary.mean_baseline_gad7 <= 14.5
    assert summary.mean_last_phq9_finished < summary.mean_baseline_phq9 - 4


def test_about_one_week_in_ten_is_missed(population: list[SyntheticPatient]) -> None:
    completed = [p.episode for p in population if p.episode.ending == Ending.COMPLETED]
    expected_weeks = sum(e.planned_sessions for e in completed)  # week 0 is never missed
    answered_weeks = sum(len(e.measurements) - 1 for e in completed)
    assert 0.06 <= 1 - answered_weeks / expected_weeks <= 0.14


def test_every_outcome_class_and_ending_occurs(population: list[SyntheticPatient]) -> None:
    assert {p.episode.outcome_class for p in population} == set(OutcomeClass)
    endings = Counter(p.episode.ending for p in population)
    assert set(endings) == set(Ending)
    assert endings[Ending.ONGOING] > 0.05 * len(population)


# Dates and times


def test_dates_are_ordered_and_within_the_window(population: list[SyntheticPatient]) -> None:
    window_start = END - timedelta(weeks=SPEC.weeks + 26)
    for patient in population:
        episode = patient.episode
        assert window_start <= episode.referral_date < episode.start_date <= END
        assert episode.measurements[0].week == 0
        assert episode.measurements[0].taken_at.date() == episode.start_date
        assert all(m.taken_at.date() <= END for m in episode.measurements)
        weeks = [m.week for m in episode.measurements]
        moments = [m.taken_at for m in episode.measurements]
        assert weeks == sorted(set(weeks))
        assert moments == sorted(set(moments))
        assert max(weeks) <= episode.planned_sessions
        assert 6 <= episode.planned_sessions <= SPEC.weeks
        _assert_end_matches_ending(episode)


def _assert_end_matches_ending(episode: SyntheticEpisode) -> None:
    last_day = episode.measurements[-1].taken_at.date()
    if episode.ending == Ending.ONGOING:
        assert episode.end_date is None
        return
    assert episode.end_date is not None
    assert last_day <= episode.end_date <= END
    if episode.ending == Ending.DROPPED_OUT:
        assert episode.measurements[-1].week <= 5


def test_measurements_are_utc_aware_during_the_day(population: list[SyntheticPatient]) -> None:
    for measurement in _measurements(population):
        assert measurement.taken_at.tzinfo is UTC
        assert 8 <= measurement.taken_at.hour < 20


def test_weekly_measurements_are_about_seven_days_apart(
    population: list[SyntheticPatient],
) -> None:
    for patient in population[:500]:
        start = patient.episode.start_date
        for measurement in patient.episode.measurements:
            drift_days = (measurement.taken_at.date() - start).days - 7 * measurement.week
            assert abs(drift_days) <= 1


# Demographics


def test_demographics_are_plausible_for_adult_therapy(population: list[SyntheticPatient]) -> None:
    genders = Counter(p.gender for p in population)
    assert 0.60 <= genders[Gender.FEMALE] / len(population) <= 0.70
    assert set(genders) == set(Gender)
    ethnicities = Counter(p.ethnicity for p in population)
    assert set(ethnicities) == set(Ethnicity)
    assert ethnicities.most_common(1)[0][0] == Ethnicity.WHITE
    languages = Counter(p.preferred_language for p in population)
    assert languages.most_common(1)[0][0] == "en"
    assert len(languages) >= 5
    quintiles = Counter(p.deprivation_quintile for p in population)
    assert set(quintiles) == {1, 2, 3, 4, 5}
    assert quintiles[1] > quintiles[5]
    assert {p.time_zone for p in population} <= {"Europe/London", "Europe/Dublin"}


def test_age_and_birth_year_agree(population: list[SyntheticPatient]) -> None:
    for patient in population:
        assert 18 <= patient.age_years <= 90
        assert END.year - patient.birth_year in (patient.age_years, patient.age_years + 1)


def test_display_names_are_invented_two_token_pseudonyms(
    population: list[SyntheticPatient],
) -> None:
    names = [p.display_name for p in population]
    assert len(set(names)) > 0.99 * len(names)
    for name in names:
        tokens = name.split(" ")
        assert len(tokens) == 2
        assert all(t.isalpha() and t == t.capitalize() for t in tokens)


def test_patients_are_spread_over_every_service_and_team() -> None:
    spec = PopulationSpec(
        patients=600, weeks=8, seed=5, end_date=END, teams_per_service=3, services=2
    )
    placements = Counter((p.service_index, p.team_index) for p in generate_population(spec))
    assert set(placements) == {(s, t) for s in range(2) for t in range(3)}
    assert [p.index for p in generate_population(spec)] == list(range(600))


# Staff


def test_staff_per_service_and_team() -> None:
    spec = PopulationSpec(
        patients=0, weeks=12, seed=4, end_date=END, teams_per_service=3, services=2
    )
    staff = generate_staff(spec)
    assert staff == generate_staff(spec)
    assert len({s.username for s in staff}) == len(staff)
    for service in range(2):
        members = [s for s in staff if s.service_index == service]
        admins = [s for s in members if s.role == StaffRole.SERVICE_ADMIN]
        assert [a.username for a in admins] == [f"admin-s{service}"]
        assert admins[0].team_index is None
        for team in range(3):
            roles = Counter(s.role for s in members if s.team_index == team)
            assert 2 <= roles[StaffRole.CLINICIAN] <= 3
            assert roles[StaffRole.SUPERVISOR] == 1
    usernames = {s.username for s in staff}
    assert {"clinician-s0-t1-0", "clinician-s1-t2-1", "supervisor-s1-t0"} <= usernames


# summarise(): the NHS TT definitions on hand-made courses


def _measurement(week: int, phq9: int, gad7: int, item9: int = 0) -> SyntheticMeasurement:
    phq9_items = (*(min(3, max(0, phq9 - item9 - 3 * i)) for i in range(8)), item9)
    gad7_items = tuple(min(3, max(0, gad7 - 3 * i)) for i in range(7))
    taken_at = datetime(2025, 1, 1, 9, tzinfo=UTC) + timedelta(weeks=week)
    return SyntheticMeasurement(week, taken_at, phq9_items, gad7_items)


def _patient(
    scores: list[tuple[int, int]], ending: Ending = Ending.COMPLETED, item9: int = 0
) -> SyntheticPatient:
    measurements = tuple(
        _measurement(week, phq9, gad7, item9 if week == 0 else 0)
        for week, (phq9, gad7) in enumerate(scores)
    )
    episode = SyntheticEpisode(
        referral_date=date(2024, 12, 1),
        start_date=date(2025, 1, 1),
        end_date=None if ending == Ending.ONGOING else date(2025, 4, 1),
        ending=ending,
        outcome_class=OutcomeClass.NO_CHANGE,
        planned_sessions=len(scores),
        measurements=measurements,
    )
    return SyntheticPatient(
        index=0,
        service_index=0,
        team_index=0,
        display_name="Kenak Raitril",
        birth_year=1990,
        age_years=35,
        gender=Gender.FEMALE,
        ethnicity=Ethnicity.NOT_STATED,
        preferred_language="en",
        time_zone="Europe/London",
        deprivation_quintile=3,
        episode=episode,
    )


@pytest.mark.parametrize(
    ("scores", "recovered", "improved", "deteriorated"),
    [
        ([(16, 12), (12, 9), (6, 5)], True, True, False),  # both below cut-offs, big drops
        ([(11, 9), (9, 7)], True, False, False),  # recovered without reliable change
        ([(16, 12), (9, 8)], False, True, False),  # GAD-7 still a case
        ([(16, 6), (9, 10)], False, False, True),  # PHQ-9 better, GAD-7 reliably worse
        ([(12, 9), (18, 10)], False, False, True),  # PHQ-9 up by 6
        ([(14, 10), (12, 9)], False, False, False),  # no reliable change
    ],
)
def test_summarise_applies_the_nhs_tt_definitions(
    scores: list[tuple[int, int]], recovered: bool, improved: bool, deteriorated: bool
) -> None:
    summary = summarise([_patient(scores)])
    assert summary.finished == summary.finished_cases == 1
    assert summary.recovery_rate == float(recovered)
    assert summary.reliable_improvement_rate == float(improved)
    assert summary.reliable_deterioration_rate == float(deteriorated)


def test_summarise_counts_only_finished_courses_and_cases() -> None:
    patients = [
        _patient([(16, 12), (5, 4)]),  # finished, recovered
        _patient([(8, 6), (3, 2)]),  # finished but not a case at the start
        _patient([(16, 12), (5, 4)], ending=Ending.ONGOING),  # still in treatment
        _patient([(16, 12)], ending=Ending.DROPPED_OUT, item9=1),  # one measurement only
        _patient([(20, 15), (19, 15)], ending=Ending.DROPPED_OUT),  # finished, not recovered
    ]
    summary = summarise(patients)
    assert (summary.patients, summary.ongoing, summary.finished) == (5, 1, 3)
    assert summary.finished_cases == 2
    assert summary.recovery_rate == 0.5
    assert summary.reliable_improvement_rate == pytest.approx(2 / 3)
    assert summary.dropout_rate == 0.5  # two of the four ended courses
    assert summary.item9_positive_at_baseline_rate == 0.2
    assert summary.mean_baseline_phq9 == pytest.approx((16 + 8 + 16 + 16 + 20) / 5)


def test_summarise_of_nobody_is_all_zero() -> None:
    summary = summarise([])
    assert summary.patients == 0
    assert summary.recovery_rate == 0.0
    assert summary.mean_baseline_phq9 == 0.0


def _measurements(population: list[SyntheticPatient]) -> Iterator[SyntheticMeasurement]:
    return (m for p in population for m in p.episode.measurements)
