"""The NHS TT report's reduced reads give the engine exactly what the full series gives it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.assessments.models import Assessment
from careloop.care.models import CareTeam
from careloop.core.models import Service
from careloop.monitoring.outcome_selectors import (
    closed_episode_scores,
    ended_episode_outcome_inputs,
    ended_outcome_of,
    inputs,
    outcome_inputs_of,
    scores,
)
from careloop.monitoring.outcomes.nhs_tt import NhsTtOutcome, SessionsBasis, nhs_tt_outcome
from careloop.monitoring.tests.outcome_factories import episode_with_scores, make_patient
from careloop.seed.loader import ensure_teams, load_population
from careloop.seed.population import PopulationSpec
from conftest import make_user


def _awkward_episodes(team: CareTeam, actor: User) -> None:
    """Cases a seeded population lacks: days near midnight in far zones, repeats within a day,
    unpaired days, a malformed stored zone, sessions left unrecorded."""
    late = datetime(2025, 3, 2, 23, 30, tzinfo=UTC)  # the next day in Auckland, same in London
    weekly = [(16, 12), (14, None), (12, 9), (None, 7), (6, 5)]
    for zone in ("Pacific/Auckland", "America/Los_Angeles", "Europe/London", "Not/AZone"):
        episode_with_scores(make_patient(team, f"late {zone}"), actor, weekly, started_at=late)
    episode_with_scores(make_patient(team, "one pair"), actor, [(16, 12), (12, None)])
    episode_with_scores(make_patient(team, "unpaired"), actor, [(16, None), (None, 9)])
    repeated = episode_with_scores(
        make_patient(team, "repeats"), actor, [(16, 12), (15, 11), (14, 10), (6, 4)], sessions=3
    )
    # A second PHQ-9 an hour after the first of the day (the later one counts), and the last
    # GAD-7 moved an hour before the last PHQ-9's day starts in London (the pair breaks).
    first, second = Assessment.objects.filter(episode=repeated, instrument_id="phq9").order_by(
        "completed_at"
    )[:2]
    Assessment.objects.filter(id=second.id).update(
        completed_at=first.completed_at + timedelta(hours=1)
    )
    last_gad7 = Assessment.objects.filter(episode=repeated, instrument_id="gad7").latest(
        "completed_at"
    )
    Assessment.objects.filter(id=last_gad7.id).update(
        completed_at=last_gad7.completed_at - timedelta(days=1)
    )


@pytest.fixture
def population(db) -> Service:
    spec = PopulationSpec(patients=300, weeks=12, seed=5, end_date=date(2025, 6, 30))
    service = Service.objects.create(slug="synthetic-inputs", name="Synthetic")
    teams = ensure_teams(service, spec.teams_per_service)
    load_population(spec, service, teams)
    team = CareTeam.objects.filter(service=service).first()
    assert team is not None
    # Answers are stored by someone who may write them: a clinician of that team (issue #18/8).
    _awkward_episodes(team, make_user(service, "synthetic-clinician", Role.CLINICIAN, team))
    return service


def _full_series(service: Service, ended_from: date | None) -> dict[object, NhsTtOutcome]:
    return {
        s.episode_id: nhs_tt_outcome(
            s.phq9, s.gad7, is_ended=True, recorded_sessions=s.recorded_sessions
        )
        for s in closed_episode_scores(service.id, ended_from=ended_from)
    }


@pytest.mark.parametrize("ended_from", [None, date(2025, 5, 1)])
def test_reduced_reads_give_the_same_outcome_as_the_full_series(population, ended_from) -> None:
    reduced = {
        inputs.episode_id: inputs
        for inputs in ended_episode_outcome_inputs(population.id, ended_from=ended_from)
    }
    expected = _full_series(population, ended_from)
    assert len(expected) > 50
    assert reduced.keys() == expected.keys()
    assert {k: ended_outcome_of(v) for k, v in reduced.items()} == expected
    assert reduced == {
        s.episode_id: outcome_inputs_of(s)
        for s in closed_episode_scores(population.id, ended_from=ended_from)
    }
    # The awkward cases really are there: unrecorded sessions, and episodes without a pair.
    assert any(o.sessions_basis == SessionsBasis.ESTIMATED for o in expected.values())
    assert any(o.first is None for o in expected.values())
    assert any(o.first is not None and o.last is None for o in expected.values())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path is PostgreSQL only")
def test_a_zone_postgresql_lacks_falls_back_to_python(population, monkeypatch) -> None:
    monkeypatch.setattr(inputs, "_zones_known_to_postgres", lambda names: set())
    pages_read_in_full = []
    read_in_full = scores.page_scores

    def spy(*args: object) -> object:
        pages_read_in_full.append(args)
        return read_in_full(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(inputs, "page_scores", spy)
    reduced = {i.episode_id: i for i in ended_episode_outcome_inputs(population.id)}
    assert pages_read_in_full
    pages_read_in_full.clear()
    assert reduced == {
        s.episode_id: outcome_inputs_of(s) for s in closed_episode_scores(population.id)
    }
