"""The NHS TT service report: hand-built branches, a synthetic population, the API and the CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from careloop.accounts.types import Role
from careloop.analytics.reports import nhs_tt_report
from careloop.care.models import CareTeam
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.core.errors import InvalidInput
from careloop.core.models import Service
from careloop.monitoring.tests.outcome_factories import episode_with_scores, make_patient
from careloop.seed.loader import ensure_teams, load_population
from careloop.seed.population import Ending, PopulationSpec, generate_population
from conftest import make_user

REPORT_URL = "/api/services/current/reports/nhs-tt"


@pytest.fixture
def branches(north, ben) -> None:
    """One ended episode per NHS TT branch (issue #3 acceptance), plus an open one."""
    episodes: dict[str, tuple[list[tuple[int | None, int | None]], int | None]] = {
        "not a case at start": ([(8, 6), (7, 5), (5, 3)], None),
        "recovered reliably": ([(16, 12), (12, 9), (6, 5)], None),
        "improved, not recovered": ([(20, 15), (16, 12), (12, 9)], None),
        "deteriorated": ([(12, 9), (15, 10), (19, 10)], None),
        "one session only": ([(16, 12), (6, 5)], None),  # estimated: 1 session
        "GAD-7-only case, recovered": ([(7, 12), (6, 9), (6, 5)], None),
        "PHQ-9-only case, not recovered": ([(14, 5), (12, 5), (11, 4)], None),
        "finished, no second pair": ([(16, 12), (14, None), (12, None)], None),
        "recorded one session": ([(16, 12), (12, 9), (6, 5)], 1),
    }
    for name, (weekly, sessions) in episodes.items():
        episode_with_scores(make_patient(north, name), ben, weekly, sessions=sessions)
    episode_with_scores(
        make_patient(north, "open"), ben, [(16, 12), (6, 5), (5, 5)], ending=EpisodeEnding.ONGOING
    )
    episode_with_scores(make_patient(north, "no scores"), ben, [], sessions=4)


def test_report_counts_every_branch(service, branches) -> None:
    report = nhs_tt_report(service)
    assert (report.referrals, report.ended, report.finished) == (11, 10, 8)
    assert report.finished_without_outcome_pair == 2  # no second pair; no scores at all
    assert report.finished_not_at_caseness == 1
    assert report.finished_cases == 5
    assert report.finished_sessions_estimated == 7
    rates = {name: (r.numerator, r.denominator) for name, r in report.rates.items()}
    assert rates == {
        "recovery": (2, 5),  # recovered reliably; GAD-7-only case
        "reliable_improvement": (3, 6),  # + improved, not recovered
        "reliable_recovery": (2, 5),
        "reliable_deterioration": (1, 6),
    }
    assert "§15" in report.definitions["recovery"]


def test_report_period_selects_by_end_and_referral_day(service, north, ben) -> None:
    old = clock.now() - timedelta(weeks=40)
    episode_with_scores(
        make_patient(north, "old"), ben, [(16, 12), (12, 9), (6, 5)], started_at=old
    )
    episode_with_scores(make_patient(north, "new"), ben, [(16, 12), (17, 13), (18, 13)])
    since = (clock.now() - timedelta(weeks=10)).date()
    report = nhs_tt_report(service, period_from=since)
    assert (report.referrals, report.ended, report.finished) == (1, 1, 1)
    assert report.rates["recovery"].numerator == 0
    with pytest.raises(InvalidInput, match="starts after"):
        nhs_tt_report(service, period_from=since, period_to=since - timedelta(days=1))


def _expected_from_synthetic(spec: PopulationSpec) -> dict[str, tuple[int, int]]:
    """The §15 definitions applied straight to the generator's records (every measurement has
    both measures, so the first and last measurements are the first and last pairs)."""
    counts = dict.fromkeys(("finished", "pair", "cases", "rec", "imp", "det", "rrec"), 0)
    for patient in generate_population(spec):
        episode = patient.episode
        if episode.ending == Ending.ONGOING or len(episode.measurements) - 1 < 2:
            continue
        first, last = episode.measurements[0], episode.measurements[-1]
        d_phq, d_gad = last.phq9_total - first.phq9_total, last.gad7_total - first.gad7_total
        case = first.phq9_total >= 10 or first.gad7_total >= 8
        recovered = case and last.phq9_total < 10 and last.gad7_total < 8
        deteriorated = d_phq >= 6 or d_gad >= 4
        improved = (d_phq <= -6 or d_gad <= -4) and not deteriorated
        counts["finished"] += 1
        counts["pair"] += 1
        counts["cases"] += case
        counts["rec"] += recovered
        counts["imp"] += improved
        counts["det"] += deteriorated
        counts["rrec"] += recovered and improved
    return {
        "recovery": (counts["rec"], counts["cases"]),
        "reliable_improvement": (counts["imp"], counts["pair"]),
        "reliable_recovery": (counts["rrec"], counts["cases"]),
        "reliable_deterioration": (counts["det"], counts["pair"]),
    }


def test_report_on_a_seeded_population_matches_the_definitions_applied_by_hand(db) -> None:
    spec = PopulationSpec(patients=300, weeks=12, seed=11, end_date=date(2025, 6, 30))
    service = Service.objects.create(slug="synthetic", name="Synthetic")
    load_population(spec, service, ensure_teams(service, spec.teams_per_service))
    report = nhs_tt_report(service)
    rates = {name: (r.numerator, r.denominator) for name, r in report.rates.items()}
    assert rates == _expected_from_synthetic(spec)
    assert report.referrals == 300 and report.finished_sessions_estimated == 0
    recovery = report.rates["recovery"].value
    assert recovery is not None and 0.3 < recovery < 0.7  # plausible against spec §15 (45–52 %)


@pytest.mark.parametrize("reader", ["sam", "cleo"])
def test_supervisors_and_service_admins_read_their_services_report(
    request, as_user, branches, reader
) -> None:
    response = as_user(request.getfixturevalue(reader)).get(REPORT_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "test-service" and body["finished"] == 8
    assert body["recovery"] == {"numerator": 2, "denominator": 5, "rate": 0.4}
    from careloop.audit.models import AuditEvent
    from careloop.audit.types import AuditAction

    event = AuditEvent.objects.get(action=AuditAction.REPORT_VIEWED)
    assert (event.actor.username, event.object_id) == (reader, "nhs-tt")


@pytest.mark.parametrize("reader", ["ben", "dana", "ada"])
def test_clinicians_and_patients_get_404(request, as_user, branches, reader) -> None:
    assert as_user(request.getfixturevalue(reader)).get(REPORT_URL).status_code == 404


def test_another_services_supervisor_sees_only_their_own_service(as_user, branches) -> None:
    other = Service.objects.create(slug="other", name="Other")
    supervisor = make_user(
        other, "olga", Role.SUPERVISOR, CareTeam.objects.create(service=other, name="T")
    )
    body = as_user(supervisor).get(REPORT_URL).json()
    assert (body["service"], body["referrals"], body["recovery"]["rate"]) == ("other", 0, None)


def test_bad_period_is_a_422(as_user, sam) -> None:
    response = as_user(sam).get(
        REPORT_URL, {"period_from": "2025-02-01", "period_to": "2025-01-01"}
    )
    assert response.status_code == 422


def test_command_prints_json_and_text(capsys, service, branches) -> None:
    call_command("report", "nhs-tt", "--service", service.slug, "--json")
    body = json.loads(capsys.readouterr().out)
    assert body["rates"]["reliable_deterioration"] == {
        "numerator": 1,
        "denominator": 6,
        "rate": 1 / 6,
    }
    call_command("report", "nhs-tt", "--service", service.slug)
    text = capsys.readouterr().out
    assert "recovery" in text and "40.0 %" in text and "(2 / 5)" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--service", "nope"], "service 'nope' not found"),
        (["--service", "x", "--from", "June"], "not a date"),
    ],
)
def test_command_refuses_bad_input(db, arguments, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("report", "nhs-tt", *arguments)
