"""The registry (issue #13 item 2): who needs attention today first, filters and search that
survive paging, sparklines with a text alternative, weeks in treatment, response and remission,
discharged patients never overdue, plain names for measures and schedules, bounded queries."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careloop.accounts.types import Role
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.models import CareTeam, Patient, TeamMembership, TreatmentEpisode
from careloop.care.services import change_step
from careloop.care.types import CareStep, EpisodeEnding
from careloop.core import clock
from careloop.monitoring.charts.sparkline import HEIGHT, PAD, WIDTH, points, sparkline_svg
from careloop.monitoring.plain_names import (
    cadence_words,
    grace_words,
    highest_total,
    measure_name,
    measure_with_cadence,
)
from careloop.monitoring.selectors import caseload as caseload_selectors
from careloop.monitoring.selectors import caseload_page, caseload_rows
from careloop.monitoring.selectors.caseload import (
    Attention,
    CaseloadRow,
    RegistryFilters,
    StatusFilter,
)
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.services import decide, publish_default_documents
from careloop.privacy.types import Choice
from careloop.safety.models import Alert
from careloop.safety.types import AlertStatus
from conftest import make_user

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


# --- Plain names (table-tested) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("phq9", "PHQ-9"),
        ("phq9@1.0.0", "PHQ-9"),
        ("gad7", "GAD-7"),
        ("who5", "WHO-5"),
        ("audit_c", "AUDIT-C"),
        ("audit", "AUDIT"),
        ("pcl5", "PCL-5"),
        ("cssrs_screener", "C-SSRS screener"),
        ("k10", "K10"),
        ("checkin", "Mood check-in"),
        ("gone@9.9.9", "A questionnaire"),
    ],
)
def test_measure_name(code: str, name: str) -> None:
    assert measure_name(code) == name


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (1, "daily"),
        (7, "weekly"),
        (14, "every 2 weeks"),
        (28, "every 4 weeks"),
        (2, "every 2 days"),
        (10, "every 10 days"),
    ],
)
def test_cadence_words(days: int, words: str) -> None:
    assert cadence_words(days) == words


@pytest.mark.parametrize(
    ("measure", "days", "words"),
    [
        ("phq9", 7, "PHQ-9, weekly"),
        ("checkin", 1, "Mood check-in, daily"),
        ("who5", 28, "WHO-5, every 4 weeks"),
    ],
)
def test_measure_with_cadence(measure: str, days: int, words: str) -> None:
    assert measure_with_cadence(measure, days) == words


@pytest.mark.parametrize(
    ("days", "words"),
    [(0, "overdue the next day"), (1, "overdue after 1 day"), (3, "overdue after 3 days")],
)
def test_grace_words(days: int, words: str) -> None:
    assert grace_words(days) == words


@pytest.mark.parametrize(("code", "total"), [("phq9", 27), ("gad7", 21), ("nope", None)])
def test_highest_total(code: str, total: int | None) -> None:
    assert highest_total(code) == total


# --- Sparkline (pure) --------------------------------------------------------------------------


def test_sparkline_points_run_oldest_left_on_a_fixed_scale() -> None:
    drawn = points([27, 0, 40, -3], maximum=27)
    assert drawn[0] == (PAD, PAD)  # the maximum at the top
    assert drawn[1][1] == HEIGHT - PAD  # 0 at the bottom
    assert drawn[2][1] == PAD and drawn[3][1] == HEIGHT - PAD  # clamped to the edges
    assert drawn[-1][0] == WIDTH - PAD
    assert points([5], maximum=27)[0][0] == WIDTH / 2


def test_sparkline_svg_has_an_escaped_text_alternative_and_no_inline_style() -> None:
    svg = sparkline_svg([18, 16, 9], maximum=27, label='PHQ-9 <last 3>: 18, 16, 9 & "x"')
    assert svg.startswith('<svg class="sparkline" role="img"')
    assert "<title>PHQ-9 &lt;last 3&gt;: 18, 16, 9 &amp; &quot;x&quot;</title>" in svg
    assert "<polyline" in svg and "<circle" in svg and "style=" not in svg
    single = sparkline_svg([4], maximum=27, label="PHQ-9 last 1: 4")
    assert "<polyline" not in single and "<circle" in single
    assert sparkline_svg([], maximum=27, label="none") == ""
    with pytest.raises(ValueError, match="maximum"):
        points([1], maximum=0)


# --- Lines: response, remission, weeks, reliable change -----------------------------------------


def _row(**kwargs) -> CaseloadRow:
    base = {
        "patient": None,
        "phq9_baseline": None,
        "phq9_latest": None,
        "gad7_baseline": None,
        "gad7_latest": None,
        "last_submission_at": None,
        "open_alerts": 0,
    }
    return CaseloadRow(**(base | kwargs))


@pytest.mark.parametrize(
    ("baseline", "latest", "response", "remission"),
    [
        (20, 10, True, False),  # exactly half: response
        (20, 11, False, False),
        (8, 4, True, True),
        (0, 0, False, True),  # no response from a 0 baseline; below 5 is remission
        (None, 3, False, False),  # no baseline: neither
    ],
)
def test_response_and_remission(baseline, latest, response, remission) -> None:
    row = _row(phq9_baseline=baseline, phq9_latest=latest)
    assert (row.is_response, row.is_remission) == (response, remission)


def test_weeks_in_treatment_and_not_on_track() -> None:
    today = NOW.date()
    row = _row(
        phq9_baseline=18,
        phq9_latest=12,
        episode_started_on=today - timedelta(days=70),
        today=today,
    )
    assert row.weeks_in_treatment == 10 and row.is_not_on_track
    assert not _row(
        phq9_baseline=18, phq9_latest=9, episode_started_on=today - timedelta(days=90), today=today
    ).is_not_on_track
    assert _row(today=today).weeks_in_treatment is None
    assert _row(
        phq9_baseline=10, phq9_latest=16, gad7_baseline=5, gad7_latest=8
    ).reliably_worse == ("phq9",)


# --- The order, over HTTP ----------------------------------------------------------------------


def _submit(patient, actor, instrument, answers, days_ago) -> None:
    submit_assessment(
        patient,
        actor=actor,
        instrument_id=instrument,
        answers=answers,
        client_id=uuid.uuid4(),
        source=SubmissionSource.SEED,
        completed_at=clock.now() - timedelta(days=days_ago),
    )


def _phq9(total: int) -> list[int]:
    """Answers scoring `total` with item 9 (risk) at 0."""
    answers = [0] * 9
    for n in range(8):
        answers[n] = min(3, max(0, total - 3 * n))
    assert sum(answers) == total
    return answers


def _patient(service, team, name: str, *, registered_days_ago: int = 0) -> Patient:
    patient = Patient.objects.create(service=service, care_team=team, display_name=name)
    Patient.objects.filter(pk=patient.pk).update(
        created_at=clock.now() - timedelta(days=registered_days_ago)
    )
    patient.refresh_from_db()
    return patient


def _episode(patient, started_days_ago: int, ending=EpisodeEnding.ONGOING) -> None:
    today = clock.now().date()
    TreatmentEpisode.objects.create(
        service=patient.service,
        patient=patient,
        referred_on=today - timedelta(days=started_days_ago),
        started_on=today - timedelta(days=started_days_ago),
        ended_on=None if ending == EpisodeEnding.ONGOING else today - timedelta(days=1),
        ending=ending,
    )


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def registry(frozen, service, north, south, ada, ada_patient, ben, dana):
    """Six patients of Team North, one per attention group, plus one of Team South.

    - Ada: an open alert (PHQ-9 item 9 answered), latest PHQ-9 10;
    - Worse: PHQ-9 8 -> 12 -> 15 in an ongoing episode (reliable deterioration from the
      baseline), the alert it raised closed;
    - Stuck: 12 weeks in treatment, PHQ-9 18 -> 14 (not on track);
    - Late: registered 30 days ago, nothing since (every measure overdue);
    - Fine: registered today, PHQ-9 20 (in care, nothing overdue yet);
    - Done: discharged, registered 60 days ago, nothing since (never overdue);
    - Sol: Team South (Ben does not see her).
    """
    _submit(ada_patient, ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2], 0)  # 10, item 9 positive
    worse = _patient(service, north, "Worse", registered_days_ago=3)
    _episode(worse, 20)
    _submit(worse, ben, "phq9", _phq9(8), 14)
    _submit(worse, ben, "phq9", _phq9(12), 7)
    _submit(worse, ben, "phq9", _phq9(15), 0)
    # Safety raised its reliable-deterioration alert; the team has since dealt with it, and the
    # registry still shows her as getting worse.
    assert Alert.objects.filter(patient=worse).update(status=AlertStatus.CLOSED) == 1
    stuck = _patient(service, north, "Stuck", registered_days_ago=2)
    _episode(stuck, 84)
    _submit(stuck, ben, "phq9", _phq9(18), 80)
    _submit(stuck, ben, "phq9", _phq9(14), 0)
    _patient(service, north, "Late", registered_days_ago=30)
    fine = _patient(service, north, "Fine")
    _submit(fine, ben, "phq9", _phq9(20), 0)
    done = _patient(service, north, "Done", registered_days_ago=60)
    _episode(done, 59, EpisodeEnding.COMPLETED)
    _patient(service, south, "Sol", registered_days_ago=30)
    return {"worse": worse, "stuck": stuck, "fine": fine, "done": done}


def test_registry_order_is_who_needs_attention_today(as_user, ben, registry) -> None:
    rows = caseload_rows(ben)
    assert [(r.patient.display_name, r.attention) for r in rows] == [
        ("Ada Test", Attention.ALERT),
        ("Worse", Attention.WORSENING),
        ("Stuck", Attention.WORSENING),
        ("Late", Attention.OVERDUE),
        ("Fine", Attention.IN_CARE),
        ("Done", Attention.DISCHARGED),
    ]
    page = as_user(ben).get("/caseload/").content.decode()
    assert _names(page) == ["Ada Test", "Worse", "Stuck", "Late", "Fine", "Done"]
    assert "1 open alert" in page and "Reliably worse on PHQ-9" in page
    assert "Not on track: review due" in page
    assert [r["display_name"] for r in as_user(ben).get("/api/caseload").json()] == _names(page)


def test_discharged_patients_are_never_in_overdue(as_user, ben, registry) -> None:
    """Done has not submitted anything for 60 days, but her episode ended: nothing is due."""
    done = next(r for r in caseload_rows(ben) if r.patient.display_name == "Done")
    assert (done.in_care, done.overdue, done.missed_in_a_row) == (False, (), 0)
    late = next(r for r in caseload_rows(ben) if r.patient.display_name == "Late")
    # The same silence in care is overdue; measures named as staff know them.
    assert late.overdue == ("PHQ-9", "GAD-7", "Mood check-in")
    page = as_user(ben).get("/caseload/").content.decode()
    done_line = page[page.index(">Done</a>") : page.index("</tr>", page.index(">Done</a>"))]
    assert 'data-label="Overdue">–</td>' in done_line and "Discharged" in done_line
    overdue = as_user(ben).get("/caseload/", {"status": "overdue"}).content.decode()
    assert "Late" in _names(overdue) and "Done" not in _names(overdue)
    api = {r["display_name"]: r for r in as_user(ben).get("/api/caseload").json()}
    assert api["Done"]["overdue"] == [] and api["Late"]["overdue"]


# --- Filters and search ------------------------------------------------------------------------


def test_status_filters(ben, registry) -> None:
    def names(status: StatusFilter) -> list[str]:
        rows = caseload_rows(ben, filters=RegistryFilters(status=status))
        return [r.patient.display_name for r in rows]

    assert names(StatusFilter.ALERT) == ["Ada Test"]
    assert names(StatusFilter.WORSENING) == ["Worse", "Stuck"]
    assert names(StatusFilter.DISCHARGED) == ["Done"]
    assert "Done" not in names(StatusFilter.IN_CARE)
    assert "Late" in names(StatusFilter.OVERDUE) and "Done" not in names(StatusFilter.OVERDUE)
    assert all(
        r.overdue for r in caseload_rows(ben, filters=RegistryFilters(status=StatusFilter.OVERDUE))
    )


def test_search_by_name_and_record_id(as_user, ben, registry) -> None:
    client = as_user(ben)
    assert _names(client.get("/caseload/", {"q": "  wor "}).content.decode()) == ["Worse"]
    stuck_id = registry["stuck"].id
    assert _names(client.get("/caseload/", {"q": str(stuck_id)}).content.decode()) == ["Stuck"]
    assert _names(client.get("/caseload/", {"q": stuck_id.hex}).content.decode()) == ["Stuck"]
    # Nobody outside the reader's teams is found, whatever the search.
    assert _names(client.get("/caseload/", {"q": "Sol"}).content.decode()) == []
    assert (
        "No patients match these filters."
        in client.get("/caseload/", {"q": "Sol"}).content.decode()
    )


def test_team_clinician_and_measure_filters(
    as_user, service, north, south, ben, dana, registry
) -> None:
    west = CareTeam.objects.create(service=service, name="Team West")
    make_user(service, "wes", Role.CLINICIAN, west)
    both = make_user(service, "bo", Role.CLINICIAN, north)
    TeamMembership.objects.create(service=service, team=west, user=ben)
    _patient(service, west, "Wanda")
    client = as_user(ben)
    everyone = _names(client.get("/caseload/").content.decode())
    assert "Wanda" in everyone and "Sol" not in everyone
    only_west = client.get("/caseload/", {"team": str(west.id)}).content.decode()
    assert _names(only_west) == ["Wanda"]
    assert f'<option value="{west.id}" selected>Team West</option>' in only_west
    # Bo works in North only: his patients are North's.
    bo = _names(client.get("/caseload/", {"clinician": str(both.id)}).content.decode())
    assert "Wanda" not in bo and "Worse" in bo
    # A team or clinician the reader does not work with narrows to nobody, never widens.
    assert _names(client.get("/caseload/", {"team": str(south.id)}).content.decode()) == []
    assert _names(client.get("/caseload/", {"clinician": str(dana.id)}).content.decode()) == []
    # Measure: patients with a PHQ-9 score.
    with_phq9 = _names(client.get("/caseload/", {"measure": "phq9"}).content.decode())
    assert with_phq9 == ["Ada Test", "Worse", "Stuck", "Fine"]
    # Values that mean nothing are ignored (everyone), never an error.
    junk = client.get(
        "/caseload/", {"team": "x", "status": "nope", "measure": "phq9@1", "step": "z"}
    )
    assert junk.status_code == 200 and _names(junk.content.decode()) == everyone


def test_filters_are_kept_across_pages(as_user, service, north, ben, frozen, monkeypatch) -> None:
    monkeypatch.setattr(caseload_selectors, "REGISTRY_PAGE_SIZE", 2)
    for n in range(5):
        _patient(service, north, f"Kim {n}")
    _patient(service, north, "Other")
    client = as_user(ben)
    first = client.get("/caseload/", {"q": "kim", "status": "in_care"}).content.decode()
    assert "Patients 1–2 of 5" in first
    assert 'href="?status=in_care&amp;q=kim&amp;page=2" rel="next"' in first
    second = client.get("/caseload/", {"q": "kim", "status": "in_care", "page": 2}).content.decode()
    assert _names(second) == ["Kim 2", "Kim 3"]
    # The form shows what is applied, and how to clear it.
    assert 'name="q" value="kim"' in second and '<option value="in_care" selected>' in second
    assert "Clear filters" in second


def test_filter_form_is_a_labelled_get_form(as_user, ben, ada_patient) -> None:
    page = as_user(ben).get("/caseload/").content.decode()
    start = page.index('<form method="get"')
    form = page[start : page.index("</form>", start)]
    for field in ("q", "team", "clinician", "step", "status", "measure"):
        assert f'<label for="id_{field}">' in form and f'id="id_{field}" name="{field}"' in form
    assert '<button type="submit">' in form and "Clear filters" not in form
    assert "<caption>" in page


# --- Sparklines, weeks, response ---------------------------------------------------------------


def test_sparkline_shows_the_last_six_scores_with_a_text_alternative(
    as_user, ada, ada_patient, ben, frozen
) -> None:
    _episode(ada_patient, 63)
    for n, total in enumerate([22, 20, 18, 16, 15, 12, 10, 9]):
        _submit(ada_patient, ada, "phq9", _phq9(total), 56 - 7 * n)
    page = as_user(ben).get("/caseload/").content.decode()
    assert "<title>PHQ-9 last 6: 18, 16, 15, 12, 10, 9</title>" in page
    assert 'data-label="Weeks in treatment">9</td>' in page
    assert 'data-label="Response">Response</td>' in page  # 22 -> 9


def test_scores_and_sparklines_are_withheld_when_questionnaires_are_not_shared(
    as_user, service, ada, ada_patient, ben, frozen
) -> None:
    publish_default_documents(service.id)
    _submit(ada_patient, ada, "phq9", _phq9(20), 7)
    _submit(ada_patient, ada, "phq9", _phq9(8), 0)
    decide(
        actor=ada,
        patient=ada_patient,
        purpose=PurposeOfUse.TREAT,
        stream=DataStream.QUESTIONNAIRES,
        choice=Choice.WITHDRAWN,
    )
    page = as_user(ben).get("/caseload/").content.decode()
    assert _names(page) == ["Ada Test"]
    assert "<svg" not in page and "last 2" not in page
    # Nor does a hidden score let the measure filter find her.
    assert _names(as_user(ben).get("/caseload/", {"measure": "phq9"}).content.decode()) == []


# --- Queries -----------------------------------------------------------------------------------


def test_registry_page_with_filters_reads_in_a_constant_number_of_queries(
    ada, ada_patient, ben, north, service, frozen
) -> None:
    _submit(ada_patient, ada, "phq9", _phq9(10), 3)
    filters = RegistryFilters(clinician=ben.id, status=StatusFilter.IN_CARE, measure="phq9")
    with CaptureQueriesContext(connection) as one_patient:
        assert len(caseload_page(ben, filters=filters).rows) == 1
    for n in range(12):
        patient = _patient(service, north, f"P{n}", registered_days_ago=n)
        _submit(patient, ben, "phq9", _phq9(n), n)
        _episode(patient, 30 + n)
    with CaptureQueriesContext(connection) as many:
        page = caseload_page(ben, 2, filters=filters, per_page=5)
    assert (len(page.rows), page.total) == (5, 13)
    assert len(many.captured_queries) == len(one_patient.captured_queries)


def test_step_filter_shows_the_patients_at_that_stepped_care_step(
    as_user, ben, registry, monkeypatch
) -> None:
    """The step is the current episode's (care.with_current_step); none recorded: no step."""
    worse = TreatmentEpisode.objects.get(patient=registry["worse"])
    stuck = TreatmentEpisode.objects.get(patient=registry["stuck"])
    monkeypatch.setattr(clock, "now", lambda: NOW - timedelta(days=20))  # changes take time
    change_step(ben, worse, CareStep.LOW_INTENSITY, "Starting guided self-help")
    change_step(ben, stuck, CareStep.LOW_INTENSITY, "Starting guided self-help")
    monkeypatch.setattr(clock, "now", lambda: NOW)
    change_step(ben, stuck, CareStep.HIGH_INTENSITY, "Not improving at step 2")
    client = as_user(ben)
    step2 = client.get("/caseload/", {"step": int(CareStep.LOW_INTENSITY)}).content.decode()
    assert _names(step2) == ["Worse"]
    assert f'<option value="{int(CareStep.LOW_INTENSITY)}" selected>' in step2
    step3 = client.get("/caseload/", {"step": int(CareStep.HIGH_INTENSITY)}).content.decode()
    assert _names(step3) == ["Stuck"]
    assert (
        _names(client.get("/caseload/", {"step": int(CareStep.SPECIALIST)}).content.decode()) == []
    )


def test_every_page_cuts_the_same_order_as_the_whole_registry(ben, registry) -> None:
    """A page within the alerts and "getting worse" reads only its own lines' plans; a later
    page reads the whole in-care rest to find the overdue: both cut the same order."""
    whole = [(r.patient.display_name, r.attention, r.overdue) for r in caseload_rows(ben)]
    paged = [
        (r.patient.display_name, r.attention, r.overdue)
        for number in (1, 2, 3)
        for r in caseload_page(ben, number, per_page=2).rows
    ]
    assert paged == whole
    assert caseload_page(ben, 1, per_page=2).total == 6
    overdue = caseload_page(
        ben, 1, per_page=2, filters=RegistryFilters(status=StatusFilter.OVERDUE)
    )
    assert overdue.rows and all(r.overdue for r in overdue.rows)


# --- The lines' markup (built by the registry_lines tag) ---------------------------------------


def test_line_text_is_escaped(as_user, service, north, ben, frozen) -> None:
    CareTeam.objects.filter(pk=north.pk).update(name='North & "East"')
    _patient(service, north, "Kim <b>Lee</b> & 'Co'")
    page = as_user(ben).get("/caseload/").content.decode()
    assert "Kim &lt;b&gt;Lee&lt;/b&gt; &amp; &#x27;Co&#x27;</a>" in page
    assert '<span class="team">North &amp; &quot;East&quot;</span>' in page
    assert "<b>Lee</b>" not in page


def test_baseline_is_the_first_score_of_the_current_episode(
    as_user, ada, ada_patient, ben, frozen
) -> None:
    _submit(ada_patient, ada, "phq9", _phq9(20), 100)  # before this episode
    _episode(ada_patient, 30)
    _submit(ada_patient, ada, "phq9", _phq9(10), 20)
    _submit(ada_patient, ada, "phq9", _phq9(12), 0)
    (row,) = caseload_rows(ben)
    assert (row.phq9_baseline, row.phq9_latest, row.phq9_change) == (10, 12, 2)
    page = as_user(ben).get("/caseload/").content.decode()
    assert '<span class="latest">12</span> <span class="change">(2 from 10)</span>' in page
