"""The charts on the clinician's patient page (#13): drawn on the server from the episode's
scores, with plain-words summaries, data tables, markers, and a bounded number of queries."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.instruments.tests.helpers import spread
from careloop.monitoring.services import PlanItemChange, change_plan_item
from careloop.monitoring.tests.outcome_factories import episode_with_scores, make_patient

WEEKLY = [(18, 14), (16, 13), (14, 12), (12, 10), (11, 9), (10, 8), (9, 7)]


def page_of(client, patient) -> str:
    response = client.get(f"/patients/{patient.id}/")
    assert response.status_code == 200
    return response.content.decode()


def chart_card(page: str, measure: str) -> str:
    start = page.index(f'aria-labelledby="{measure}-chart-heading"')
    end = page.index("</section>", start)
    return page[start:end]


@pytest.fixture
def course(north, ben):
    patient = make_patient(north, "Chart Patient")
    episode_with_scores(patient, ben, WEEKLY, ending=EpisodeEnding.ONGOING)
    return patient


def test_phq9_and_gad7_are_charted_with_summary_table_and_heatmap(as_user, ben, course) -> None:
    page = page_of(as_user(ben), course)
    assert "monitoring/charts.css" in page
    assert '<h2 id="charts-heading">Scores over time</h2>' in page
    phq9 = chart_card(page, "phq9")
    assert (
        "PHQ-9 fell from 18 (moderately severe) to 9 (mild) over 6 weeks; "
        "this is a reliable improvement (criterion 6 points, UNVERIFIED)."
    ) in phq9
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in phq9
    assert 'role="img" aria-labelledby="chart-phq9-title chart-phq9-desc"' in phq9
    assert phq9.count('class="point"') == len(WEEKLY)
    assert "caseness (NHS Talking Therapies): 10" in phq9
    assert "No reliable change: within 6 points of the first score (18)" in phq9
    # The data table behind <details>, one row per administration.
    assert "<details" in phq9 and "<caption>PHQ-9 scores, oldest first</caption>" in phq9
    assert phq9.count('<th scope="row">') >= len(WEEKLY)
    # Item heatmap with item 9 outlined.
    assert 'class="chart chart-heatmap"' in phq9
    assert 'class="item-row risk-item" data-item="9"' in phq9
    gad7 = chart_card(page, "gad7")
    assert "GAD-7 fell from 14 (moderate) to 7 (mild) over 6 weeks" in gad7
    assert "this is a reliable improvement" in gad7
    assert page.index("phq9-chart-heading") < page.index("gad7-chart-heading")


def test_published_reference_threshold_is_labelled_unverified(as_user, ben, course) -> None:
    """The test service has no closed episodes: PHQ-9 ≥ 10 at baseline gets the published
    non-response rule from week 4 on, never shown as a service band."""
    phq9 = chart_card(page_of(as_user(ben), course), "phq9")
    assert 'class="expected-reference"' in phq9
    assert 'class="expected-outer"' not in phq9
    legend = phq9[phq9.index('<ul class="chart-legend">') :]
    assert re.search(r"Published non-response threshold.*?UNVERIFIED", legend)


def test_alert_and_plan_change_are_marked_on_the_chart(as_user, ben, north) -> None:
    patient = make_patient(north, "Marker Patient")
    episode_with_scores(patient, ben, WEEKLY[:3], ending=EpisodeEnding.ONGOING)
    submit_assessment(
        patient,
        actor=ben,
        instrument_id="phq9",
        answers=[*spread(11, 8, 3), 1],  # item 9 answered "several days": an alert
        client_id=uuid.uuid4(),
        source=SubmissionSource.SEED,
        completed_at=clock.now() - timedelta(days=1),
    )
    change_plan_item(
        patient,
        actor=ben,
        measure="phq9",
        change=PlanItemChange(
            every_days=14,
            overdue_after_days=3,
            remind_before_days=0,
            reminder_enabled=True,
            active=True,
        ),
    )
    phq9 = chart_card(page_of(as_user(ben), patient), "phq9")
    assert 'class="marker marker-alert" data-kind="alert"' in phq9
    assert 'class="marker marker-plan" data-kind="plan"' in phq9
    assert "PHQ-9: every 7 → 14 days" in phq9
    assert "Alert raised" in phq9 and "Measurement plan changed" in phq9
    # The risk answer shows on the heatmap: item 9's latest cell is above 0.
    assert 'class="cell cell-risk-positive" data-value="1"' in phq9
    gad7 = chart_card(page_of(as_user(ben), patient), "gad7")
    assert "marker-plan" not in gad7  # a PHQ-9 plan change belongs to the PHQ-9 chart


def test_no_questionnaires_no_chart(as_user, ben, north) -> None:
    patient = make_patient(north, "New Patient")
    page = page_of(as_user(ben), patient)
    assert "No scored questionnaires yet." in page
    assert "chart-trajectory" not in page


def test_outsider_gets_404(as_user, dana, course) -> None:
    assert as_user(dana).get(f"/patients/{course.id}/").status_code == 404


def test_query_count_does_not_grow_with_the_number_of_assessments(as_user, ben, north) -> None:
    short = make_patient(north, "Short Course")
    episode_with_scores(short, ben, WEEKLY[:2], ending=EpisodeEnding.ONGOING)
    long = make_patient(north, "Long Course")
    episode_with_scores(long, ben, WEEKLY * 3, ending=EpisodeEnding.ONGOING)
    client = as_user(ben)
    page_of(client, short)  # fits and caches the service's bands, warms the session
    counts = []
    for patient in (short, long):
        with CaptureQueriesContext(connection) as queries:
            page = page_of(client, patient)
        assert "chart-trajectory" in page
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_step_markers_join_every_chart_and_an_ended_episode_says_so(ben, north) -> None:
    """Stepped care adds its step changes as one more list of dated markers."""
    from careloop.assessments.selectors import assessments_of
    from careloop.care.selectors import patient_visible_to
    from careloop.monitoring.charts.types import Marker
    from careloop.monitoring.patient_charts import charts_for

    patient = make_patient(north, "Ended Course")
    episode = episode_with_scores(patient, ben, WEEKLY[:4])  # completed on its last week
    visible = patient_visible_to(ben, patient.id)
    step_day = episode.started_on + timedelta(days=14)
    ended_on = episode.ended_on
    assert ended_on is not None
    charts = charts_for(
        visible,
        assessments=list(assessments_of(visible)),
        alerts=[],
        extra_markers=[
            Marker(step_day, "step", "Stepped up to high-intensity CBT"),
            Marker(ended_on + timedelta(days=5), "step", "after the end"),
        ],
    )
    assert charts.scope.startswith("Most recent treatment episode,")
    assert "(ended)" in charts.scope
    assert [c.instrument_id for c in charts.charts] == ["phq9", "gad7"]
    for chart in charts.charts:
        assert chart.svg.count('class="marker marker-step" data-kind="step"') == 1
        assert "Stepped up to high-intensity CBT" in chart.svg
        assert "after the end" not in chart.svg
        assert "Stepped-care step changed (step names UNVERIFIED)" in chart.legend


def test_wsas_without_work_marks_its_bands_unverified() -> None:
    """WSAS is disabled in the library today, so this is checked on the rows alone."""
    from types import SimpleNamespace

    from careloop.monitoring.charts.measures import MEASURES
    from careloop.monitoring.patient_charts import scale_for_rows

    wsas = MEASURES["wsas"]
    with_work = [SimpleNamespace(answers=[3, 4, 4, 3, 3])]
    without_work = [*with_work, SimpleNamespace(answers=[None, 4, 4, 3, 3])]
    assert not any(b.unverified for b in scale_for_rows(wsas, with_work).bands)  # type: ignore[arg-type]
    assert all(b.unverified for b in scale_for_rows(wsas, without_work).bands)  # type: ignore[arg-type]
    assert scale_for_rows(MEASURES["phq9"], without_work) is MEASURES["phq9"]  # type: ignore[arg-type]


def test_service_band_is_drawn_when_the_service_has_the_history(
    as_user, ben, course, monkeypatch
) -> None:
    """250 closed episodes starting at 18 (stratum 15–19) give the service's own percentiles."""
    from careloop.monitoring import patient_charts
    from careloop.monitoring.outcomes.bands import EpisodeTrajectory, fit_bands

    history = [
        EpisodeTrajectory(18, tuple((7 * week, 18 - week + (n % 5)) for week in range(10)))
        for n in range(250)
    ]
    model = fit_bands(history)
    monkeypatch.setattr(patient_charts, "band_model_for_service", lambda service_id: model)
    phq9 = chart_card(page_of(as_user(ben), course), "phq9")
    assert 'class="expected-outer"' in phq9
    assert 'class="expected-median"' in phq9
    assert 'class="expected-reference"' not in phq9
    assert "this service&#x27;s closed episodes" in phq9 or "this service's closed episodes" in phq9
    assert "on track against the expected recovery" in phq9


def test_stepped_care_changes_are_marked_on_every_chart(as_user, ben, north) -> None:
    from careloop.care.services import change_step
    from careloop.care.types import CareStep

    patient = make_patient(north, "Stepped Patient")
    episode = episode_with_scores(patient, ben, WEEKLY[:3], ending=EpisodeEnding.ONGOING)
    change_step(ben, episode, CareStep.LOW_INTENSITY, "Guided self-help agreed")
    change_step(ben, episode, CareStep.HIGH_INTENSITY, "Not improving on step 2")
    page = page_of(as_user(ben), patient)
    for measure in ("phq9", "gad7"):
        card = chart_card(page, measure)
        assert card.count('class="marker marker-step" data-kind="step"') == 2
        assert (
            "Stepped care: Step 2: low-intensity guided self-help → "
            "Step 3: high-intensity psychological therapy"
        ) in card
        assert "Not improving" not in card  # the reason is the clinician's text, not the chart's
