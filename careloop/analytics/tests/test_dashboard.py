"""The service dashboard (/service/): same figures as `careloop report nhs-tt --json
--by-group`, small groups suppressed without leaking their counts, access and audit."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.core.cache import cache
from django.core.management import call_command

from careloop.accounts.types import Role
from careloop.analytics.breakdown import DIMENSIONS, NHS_TT_METRICS, OVERALL
from careloop.analytics.intervals import wilson_interval
from careloop.analytics.reports import nhs_tt_report
from careloop.analytics.selectors import service_breakdown
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.care.models import CareTeam, Patient
from careloop.care.selectors.reporting import ended_episode_facts_for_system
from careloop.core.models import Service
from careloop.seed.loader import ensure_teams, load_population
from careloop.seed.population import PopulationSpec
from conftest import make_user, signed_in

URL = "/service/"
CSV_URL = "/service/dashboard.csv"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def population(service) -> None:
    spec = PopulationSpec(patients=150, weeks=12, seed=5, end_date=date(2025, 6, 30))
    load_population(spec, service, ensure_teams(service, spec.teams_per_service))


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode())))


def _as_csv_strings(row: dict[str, object]) -> dict[str, str]:
    return {
        key: ("true" if value else "false")
        if key == "suppressed"
        else ("" if value is None else str(value))
        for key, value in row.items()
    }


def test_csv_equals_the_report_command_and_overall_equals_its_rates(
    capsys, as_user, sam, service, population
) -> None:
    call_command("report", "nhs-tt", "--service", service.slug, "--json", "--by-group")
    body = json.loads(capsys.readouterr().out)
    response = as_user(sam).get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response.content)
    assert rows == [_as_csv_strings(row) for row in body["by_group"]]
    overall = {r["metric"]: r for r in body["by_group"] if r["dimension"] == OVERALL}
    for name in NHS_TT_METRICS:
        rate = body["rates"][name]
        assert (overall[name]["numerator"], overall[name]["denominator"]) == (
            rate["numerator"],
            rate["denominator"],
        )
        assert overall[name]["rate"] == rate["rate"]
        low, high = wilson_interval(rate["numerator"], rate["denominator"]) or (None, None)
        assert (overall[name]["ci_low"], overall[name]["ci_high"]) == (low, high)
    assert overall["recovery"]["denominator"] >= 10  # the population is big enough to show


def test_groups_add_up_to_the_overall_and_the_period_is_the_reports(service, population) -> None:
    start, end = date(2025, 5, 1), date(2025, 6, 30)
    tallies = service_breakdown(service.id, period_from=start, period_to=end).tallies
    report = nhs_tt_report(service, period_from=start, period_to=end)
    overall = tallies[(OVERALL, "all")]
    assert overall.nhs_tt.ended == report.ended and overall.nhs_tt.finished == report.finished
    for dimension in DIMENSIONS:
        groups = [t for (d, _), t in tallies.items() if d == dimension]
        for name in NHS_TT_METRICS:
            rates = [getattr(t.nhs_tt, name) for t in groups]
            assert sum(r.numerator for r in rates) == report.rates[name].numerator
            assert sum(r.denominator for r in rates) == report.rates[name].denominator


def test_small_groups_are_suppressed_without_leaking_their_count(
    as_user, cleo, service, population
):
    # One patient whose course ended, in a language nobody else speaks: a group of one.
    patient_id = ended_episode_facts_for_system(service.id)[0].patient_id
    Patient.objects.filter(service=service).update(preferred_language="en")
    Patient.objects.filter(pk=patient_id).update(preferred_language="so")
    rows = _csv_rows(as_user(cleo).get(CSV_URL).content)
    language = {
        r["group"]: r
        for r in rows
        if r["metric"] == "engagement" and r["dimension"] == "preferred_language"
    }
    overall = next(r for r in rows if r["metric"] == "engagement" and r["dimension"] == OVERALL)
    assert language["so"]["suppressed"] == "true"
    assert language["so"]["numerator"] == language["so"]["denominator"] == ""
    # Secondary suppression: otherwise overall − English would give the one away.
    assert language["en"]["suppressed"] == "true" and language["en"]["denominator"] == ""
    assert overall["suppressed"] == "false" and int(overall["denominator"]) > 10
    page = as_user(cleo).get(URL, {"metric": "engagement"}).content.decode()
    assert "fewer than 10 — not shown" in page


def test_dashboard_page_shows_charts_and_tables(as_user, sam, population) -> None:
    response = as_user(sam).get(URL, {"metric": "recovery", "from": "2025-01", "to": "2025-06"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="img"' in page and "<desc" in page and "<caption" in page
    assert 'scope="row"' in page and "Download every figure (CSV)" in page
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action=AuditAction.REPORT_VIEWED)
    assert (event.actor.username, event.object_id) == ("sam", "service-dashboard")
    assert event.detail["from"] == "2025-01-01" and event.detail["to"] == "2025-06-30"


def test_csv_download_is_audited(as_user, cleo, population) -> None:
    response = as_user(cleo).get(CSV_URL, {"from": "2025-04"})
    assert (
        'filename="test-service-service-dashboard-2025-04-to-now.csv"'
        in (response["Content-Disposition"])
    )
    event = AuditEvent.objects.get(action=AuditAction.REPORT_DOWNLOADED)
    assert event.actor.username == "cleo" and event.detail["from"] == "2025-04-01"


def test_a_bad_month_is_explained_not_a_crash(as_user, sam, population) -> None:
    page = as_user(sam).get(URL, {"from": "June", "to": "2025-13"}).content.decode()
    assert "like 2026-01" in page and "like 2026-06" in page and "Showing all time" in page


def test_staff_who_have_not_passed_the_second_factor_are_asked_for_it(cleo) -> None:
    response = signed_in(cleo, mfa_verified=False).get(URL)
    assert response.status_code == 302 and "/accounts/verify/" in response["Location"]


@pytest.mark.parametrize("reader", ["ben", "dana", "ada"])
def test_clinicians_and_patients_get_404(request, as_user, reader) -> None:
    client = as_user(request.getfixturevalue(reader))
    assert client.get(URL).status_code == 404
    assert client.get(CSV_URL).status_code == 404


def test_signed_out_is_sent_to_sign_in(client, service) -> None:
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/")


def test_another_services_supervisor_sees_only_their_own_service(as_user, population) -> None:
    other = Service.objects.create(slug="other", name="Other")
    olga = make_user(
        other, "olga", Role.SUPERVISOR, CareTeam.objects.create(service=other, name="T")
    )
    rows = _csv_rows(as_user(olga).get(CSV_URL).content)
    overall = next(r for r in rows if r["metric"] == "recovery" and r["dimension"] == OVERALL)
    assert overall["suppressed"] == "true"  # nobody: their own empty service
    assert all(r["dimension"] == OVERALL for r in rows)


def test_the_api_gives_the_same_rows_by_group(as_user, sam, population) -> None:
    client = as_user(sam)
    body = client.get(
        "/api/services/current/reports/nhs-tt", {"by_group": "true", "period_from": "2025-04-01"}
    ).json()
    rows = _csv_rows(client.get(CSV_URL, {"from": "2025-04"}).content)
    assert [_as_csv_strings(row) for row in body["by_group"]] == rows
    assert client.get("/api/services/current/reports/nhs-tt").json()["by_group"] is None
