"""The dashboard's pure parts: grouping, the per-group tally, suppression of rows, the SVG."""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree

import pytest

from careloop.analytics.breakdown import (
    ALL,
    OVERALL,
    Breakdown,
    Dimension,
    Person,
    age_band,
    cocm_outcome,
    groups_of,
)
from careloop.analytics.charts import ChartRow, describe, dot_whisker_svg
from careloop.monitoring.outcomes.nhs_tt import DatedScore, nhs_tt_outcome

DAY = date(2025, 1, 6)


def _series(*totals: float) -> tuple[DatedScore, ...]:
    return tuple(DatedScore(DAY + timedelta(weeks=i), t) for i, t in enumerate(totals))


def _recovered():
    return nhs_tt_outcome(_series(16, 12, 6), _series(12, 9, 5), is_ended=True, recorded_sessions=3)


def _not_recovered():
    return nhs_tt_outcome(
        _series(16, 15, 14), _series(12, 12, 11), is_ended=True, recorded_sessions=3
    )


@pytest.mark.parametrize(
    ("birth_year", "on", "band"),
    [
        (None, DAY, "not_recorded"),
        (2010, DAY, "under_18"),
        (2007, DAY, "18_24"),
        (2000, DAY, "25_34"),
        (1961, DAY, "55_64"),
        (1960, DAY, "65_and_over"),
        (2030, DAY, "not_recorded"),  # a birth year after the day: not an age
    ],
)
def test_age_band(birth_year, on, band) -> None:
    assert age_band(birth_year, on) == band


def test_groups_of_names_missing_values_not_recorded() -> None:
    person = Person(None, "", "", "", None)
    assert set(groups_of(person, DAY).values()) == {"not_recorded"}
    person = Person(1990, "female", "asian", "ur", 1)
    assert groups_of(person, DAY) == {
        Dimension.ETHNICITY: "asian",
        Dimension.GENDER: "female",
        Dimension.AGE_BAND: "35_44",
        Dimension.PREFERRED_LANGUAGE: "ur",
        Dimension.DEPRIVATION_QUINTILE: "1",
    }


@pytest.mark.parametrize(
    ("totals", "eligible", "response", "remission"),
    [
        ((20, 12, 9), True, True, False),  # 55 % down
        ((20, 14, 11), True, False, False),  # 45 % down
        ((12, 8, 4), True, True, True),
        ((9, 5, 2), False, False, False),  # baseline under 10: not in the registry's group
        ((20,), False, False, False),  # one score: no outcome
    ],
)
def test_cocm_outcome(totals, eligible, response, remission) -> None:
    outcome = cocm_outcome(_series(*totals))
    assert (outcome.eligible, outcome.response, outcome.remission) == (
        eligible,
        response,
        remission,
    )


def _person(ethnicity: str) -> dict[Dimension, str]:
    return groups_of(Person(1990, "female", ethnicity, "en", 3), DAY)


def test_rows_suppress_small_groups_and_their_complement() -> None:
    breakdown = Breakdown()
    no_cocm = cocm_outcome(())
    for index in range(30):
        outcome = _recovered() if index % 3 else _not_recovered()
        breakdown.add_episode(_person("white"), outcome, dropped_out=False, cocm=no_cocm)
    for _ in range(4):
        breakdown.add_episode(_person("black"), _recovered(), dropped_out=True, cocm=no_cocm)
    for _ in range(12):
        breakdown.add_episode(_person("asian"), _recovered(), dropped_out=False, cocm=no_cocm)
    rows = {(r.metric, r.dimension, r.group): r for r in breakdown.rows()}
    overall = rows[("recovery", OVERALL, ALL)]
    assert (overall.numerator, overall.denominator, overall.suppressed) == (36, 46, False)
    black = rows[("recovery", "ethnicity", "black")]
    assert black.suppressed and black.numerator is None and black.denominator is None
    asian = rows[("recovery", "ethnicity", "asian")]  # the next smallest: hidden too
    assert asian.suppressed and asian.rate is None and asian.ci_low is None
    white = rows[("recovery", "ethnicity", "white")]
    assert (white.numerator, white.denominator, white.suppressed) == (20, 30, False)
    assert white.ci_low is not None and white.ci_low < 20 / 30 < (white.ci_high or 0)
    # Everyone is female: one group, equal to the overall, shown (nothing to work out).
    assert rows[("recovery", "gender", "female")].denominator == 46
    # Nobody had alerts: the overall is hidden (0 < 10) and no group is listed.
    assert rows[("alert_ack_within_policy", OVERALL, ALL)].suppressed
    assert not [k for k in rows if k[0] == "alert_ack_within_policy" and k[1] != OVERALL]


def test_alert_times_and_policy() -> None:
    breakdown = Breakdown()
    person = _person("white")
    for minutes in range(1, 12):  # 11 acknowledged after 1..11 minutes, window 10 minutes
        breakdown.add_alert(
            person, ack_seconds=60 * minutes, window_seconds=600, window_passed=True
        )
    breakdown.add_alert(person, ack_seconds=None, window_seconds=600, window_passed=True)
    breakdown.add_alert(person, ack_seconds=None, window_seconds=600, window_passed=False)
    rows = {(r.metric, r.dimension): r for r in breakdown.rows() if r.dimension == OVERALL}
    policy = rows[("alert_ack_within_policy", OVERALL)]
    assert (policy.numerator, policy.denominator) == (10, 12)  # the one still in time waits
    assert rows[("alert_ack_median_minutes", OVERALL)].rate == 6
    assert rows[("alert_ack_p90_minutes", OVERALL)].rate == pytest.approx(10)
    assert rows[("alert_ack_median_minutes", OVERALL)].denominator == 11


def test_svg_is_an_image_with_a_text_alternative_and_escapes_text() -> None:
    rows = [
        ChartRow("White", 0.5, 0.4, 0.6),
        ChartRow("<Black & Co>", None, None, None, "fewer than 10 — not shown"),
    ]
    svg = dot_whisker_svg(
        "Recovery by ethnicity", rows, overall=0.45, overall_label="All", chart_id="c1"
    )
    root = ElementTree.fromstring(svg)  # noqa: S314  # our own output; well-formed: escaped
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "Recovery by ethnicity"
    assert len(root.findall(f"{ns}circle")) == 1  # no dot for the hidden group
    assert describe(rows, 0.45, "All") == (
        "All: 45 %. White: 50 % (40 % to 60 %). <Black & Co>: fewer than 10 — not shown."
    )
    assert "&lt;Black &amp; Co&gt;" in svg
