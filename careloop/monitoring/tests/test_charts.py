"""The pure chart modules (#13): geometry asserted on the drawn SVG, escaping, bands, markers,
the heatmap's risk row. No database."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from careloop.monitoring.charts import heatmap, legend, svg, trajectory
from careloop.monitoring.charts.measures import MEASURES, severity_bands
from careloop.monitoring.charts.scales import LinearScale, tick_step, ticks
from careloop.monitoring.charts.types import (
    ExpectedRecovery,
    ExpectedWeek,
    HeatmapColumn,
    HeatmapInput,
    HeatmapItem,
    Marker,
    ReliableChangeBand,
    ScorePoint,
    SeverityBand,
    Threshold,
    TrajectoryInput,
)

NS = {"s": "http://www.w3.org/2000/svg"}
ORIGIN = date(2026, 1, 5)


def week(n: float) -> date:
    return ORIGIN + timedelta(days=round(n * 7))


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - markup these tests just built


def phq9_chart(**changes: object) -> TrajectoryInput:
    values: dict[str, object] = {
        "chart_id": "chart-phq9",
        "title": "PHQ-9 score over weeks in treatment",
        "description": "PHQ-9 fell from 18 to 9.",
        "origin": ORIGIN,
        "min_score": 0,
        "max_score": 27,
        "points": (
            ScorePoint(week(0), 18, "moderately severe"),
            ScorePoint(week(4), 12, "moderate"),
            ScorePoint(week(8), 9, "mild"),
        ),
        "bands": MEASURES["phq9"].bands,
        "thresholds": (Threshold(10, "caseness: 10"),),
        "reliable_change": ReliableChangeBand(18, 6, "No reliable change", unverified=True),
    }
    values.update(changes)
    return TrajectoryInput(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------- scales and helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 300.0), (27, 30.0), (13.5, 165.0), (10, 200.0)],
)
def test_linear_scale_maps_scores_upwards(value: float, expected: float) -> None:
    scale = LinearScale(0, 27, 300, 30)
    assert scale(value) == pytest.approx(expected)


def test_clamped_holds_values_inside_the_domain() -> None:
    scale = LinearScale(0, 10, 0, 100)
    assert scale.clamped(-5) == 0
    assert scale.clamped(50) == 100


def test_scale_needs_width() -> None:
    with pytest.raises(ValueError, match="non-zero width"):
        LinearScale(3, 3, 0, 1)


@pytest.mark.parametrize(
    ("span", "max_ticks", "step"),
    [(4, 8, 1), (9, 8, 2), (27, 6, 5), (40, 8, 5), (52, 12, 5), (100, 8, 20), (0, 8, 1)],
)
def test_tick_step(span: float, max_ticks: int, step: int) -> None:
    assert tick_step(span, max_ticks) == step


def test_ticks_start_at_a_multiple() -> None:
    assert ticks(0, 27, 6) == [0, 5, 10, 15, 20, 25]
    assert ticks(10, 50, 8) == [10, 15, 20, 25, 30, 35, 40, 45, 50]


@pytest.mark.parametrize(
    ("value", "text"),
    [(12.0, "12"), (12.5, "12.5"), (-3.254, "-3.25"), (-0.001, "0"), (1 / 3, "0.33")],
)
def test_num(value: float, text: str) -> None:
    assert svg.num(value) == text


def test_severity_bands_carry_ranges() -> None:
    bands = severity_bands(
        ((20, "severe"), (15, "moderately severe"), (10, "moderate"), (5, "mild"), (0, "minimal")),
        27,
    )
    assert [(b.low, b.high, b.label) for b in bands] == [
        (0, 5, "minimal 0–4"),
        (5, 10, "mild 5–9"),
        (10, 15, "moderate 10–14"),
        (15, 20, "moderately severe 15–19"),
        (20, 27, "severe 20–27"),
    ]


def test_unverified_bands_are_marked_in_the_measure_table() -> None:
    assert all(b.unverified for b in MEASURES["core10"].bands)
    assert all(b.unverified for b in MEASURES["phq8"].bands)
    assert not any(b.unverified for b in MEASURES["phq9"].bands)
    assert MEASURES["phq9"].reliable_change_points == 6
    assert MEASURES["gad7"].reliable_change_points == 4
    assert MEASURES["phq9"].risk_items == (9,)


# ---------------------------------------------------------------- trajectory geometry


def test_geometry_spans_points_and_at_least_four_weeks() -> None:
    geo = trajectory.geometry(phq9_chart(points=(ScorePoint(week(0), 18),)))
    assert geo.max_week == trajectory.MIN_WEEKS
    geo = trajectory.geometry(phq9_chart())
    assert geo.max_week == 9  # last point at week 8, plus one


def test_a_point_at_week_4_score_12_lands_at_the_computed_place() -> None:
    chart = phq9_chart()
    root = parse(trajectory.render(chart))
    plot_w = trajectory.PLOT_X1 - trajectory.PLOT_X0
    plot_h = trajectory.PLOT_Y1 - trajectory.PLOT_Y0
    expected_x = trajectory.PLOT_X0 + 4 / 9 * plot_w
    expected_y = trajectory.PLOT_Y1 - 12 / 27 * plot_h
    circles = root.findall(".//s:g[@class='scores']/s:g/s:circle", NS)
    assert len(circles) == 3
    second = circles[1]
    assert float(second.get("cx", "")) == pytest.approx(expected_x, abs=0.01)
    assert float(second.get("cy", "")) == pytest.approx(expected_y, abs=0.01)
    assert trajectory.point_xy(chart, 1) == pytest.approx((expected_x, expected_y))


def test_point_hover_text_names_week_day_score_and_band() -> None:
    root = parse(trajectory.render(phq9_chart()))
    titles = [t.text for t in root.findall(".//s:g[@class='point']/s:title", NS)]
    assert titles[1] == "Week 4, 2026-02-02: 12 (moderate)"


def test_severity_bands_are_shaded_over_their_score_ranges() -> None:
    chart = phq9_chart()
    geo = trajectory.geometry(chart)
    root = parse(trajectory.render(chart))
    rects = root.findall(".//s:g[@class='bands']/s:g/s:rect", NS)
    spans = [
        (float(r.get("y", "")), float(r.get("y", "")) + float(r.get("height", ""))) for r in rects
    ]
    assert spans == [
        pytest.approx((geo.y(5), geo.y(0)), abs=0.01),
        pytest.approx((geo.y(10), geo.y(5)), abs=0.01),
        pytest.approx((geo.y(15), geo.y(10)), abs=0.01),
        pytest.approx((geo.y(20), geo.y(15)), abs=0.01),
        pytest.approx((geo.y(27), geo.y(20)), abs=0.01),
    ]
    labels = [t.text for t in root.findall(".//s:g[@class='bands']/s:g/s:text", NS)]
    assert labels[2] == "moderate 10–14"


def test_unverified_band_is_starred_and_classed() -> None:
    chart = phq9_chart(bands=(SeverityBand(0, 10, "low", unverified=True),))
    root = parse(trajectory.render(chart))
    group = root.find(".//s:g[@class='band band-unverified']", NS)
    assert group is not None
    assert group.find("s:text", NS).text == "low *"


def test_caseness_line_sits_at_its_score() -> None:
    chart = phq9_chart()
    geo = trajectory.geometry(chart)
    root = parse(trajectory.render(chart))
    line = root.find(".//s:g[@class='threshold']/s:line", NS)
    assert line is not None
    assert float(line.get("y1", "")) == pytest.approx(geo.y(10), abs=0.01)
    assert line.get("stroke-dasharray") == "7 4"


def test_unverified_threshold_says_so() -> None:
    chart = phq9_chart(thresholds=(Threshold(11, "clinical cut-off: 11", unverified=True),))
    root = parse(trajectory.render(chart))
    text = root.find(".//s:g[@class='threshold']/s:text", NS)
    assert text is not None and text.text == "clinical cut-off: 11 (UNVERIFIED)"


def test_reliable_change_band_spans_baseline_plus_minus_criterion() -> None:
    chart = phq9_chart()
    geo = trajectory.geometry(chart)
    root = parse(trajectory.render(chart))
    rect = root.find(".//s:g[@class='reliable-change']/s:rect", NS)
    assert rect is not None
    top = float(rect.get("y", ""))
    assert top == pytest.approx(geo.y(24), abs=0.01)
    assert top + float(rect.get("height", "")) == pytest.approx(geo.y(12), abs=0.01)
    assert rect.get("fill") == "url(#chart-phq9-hatch)"


def test_reliable_change_band_is_clamped_to_the_scale() -> None:
    chart = phq9_chart(reliable_change=ReliableChangeBand(24, 6, "rc"))
    geo = trajectory.geometry(chart)
    rect = parse(trajectory.render(chart)).find(".//s:g[@class='reliable-change']/s:rect", NS)
    assert rect is not None
    assert float(rect.get("y", "")) == pytest.approx(geo.y(27), abs=0.01)


def test_expected_percentile_band_is_drawn_from_the_baseline_week() -> None:
    weeks = tuple(ExpectedWeek(w, 6 + w, 8 + w, 10, 12, 14) for w in range(1, 4))
    # The PHQ-9 baseline was one week after the first day in treatment.
    chart = phq9_chart(expected=ExpectedRecovery(week(1), weeks, "service band"))
    geo = trajectory.geometry(chart)
    root = parse(trajectory.render(chart))
    outer = root.find(".//s:polygon[@class='expected-outer']", NS)
    assert outer is not None
    first_x, first_y = outer.get("points", "").split()[0].split(",")
    assert float(first_x) == pytest.approx(geo.x(2), abs=0.01)  # band week 1 = treatment week 2
    assert float(first_y) == pytest.approx(geo.y(14), abs=0.01)  # p90 on the upper edge
    median = root.find(".//s:polyline[@class='expected-median']", NS)
    assert median is not None and median.get("stroke-dasharray") == "8 4"


def test_published_reference_is_a_step_line_without_a_band() -> None:
    weeks = tuple(ExpectedWeek(w, alert_at_or_above=17 if w < 7 else 13) for w in range(4, 10))
    chart = phq9_chart(expected=ExpectedRecovery(ORIGIN, weeks, "published", unverified=True))
    geo = trajectory.geometry(chart)
    root = parse(trajectory.render(chart))
    assert root.find(".//s:polygon[@class='expected-outer']", NS) is None
    step = root.find(".//s:polyline[@class='expected-reference']", NS)
    assert step is not None
    ys = {round(float(pair.split(",")[1]), 2) for pair in step.get("points", "").split()}
    assert ys == {round(geo.y(17), 2), round(geo.y(13), 2)}


def test_markers_of_any_kind_are_placed_by_day_with_their_label() -> None:
    markers = (
        Marker(week(2), "alert", "High: PHQ-9 item 9 answered 2"),
        Marker(week(3), "plan", "PHQ-9: every 7 → 14 days"),
        Marker(week(5), "step", "Stepped up to high-intensity CBT"),
        Marker(week(6), "supervision", "Discussed in supervision"),
        Marker(ORIGIN - timedelta(days=30), "alert", "before treatment"),  # not drawn
    )
    chart = phq9_chart(markers=markers)
    geo = trajectory.geometry(chart)
    root = parse(trajectory.render(chart))
    groups = root.findall(".//s:g[@class='markers']/s:g", NS)
    assert [g.get("data-kind") for g in groups] == ["alert", "plan", "step", "supervision"]
    line = groups[0].find("s:line", NS)
    assert line is not None and float(line.get("x1", "")) == pytest.approx(geo.x(2), abs=0.01)
    assert groups[0].find("s:polygon", NS) is not None  # triangle
    assert groups[2].find("s:rect", NS) is not None  # square for steps
    assert groups[3].find("s:circle", NS) is not None  # unknown kind: default circle
    assert groups[1].find("s:title", NS).text == (
        "Measurement plan changed, 2026-01-26: PHQ-9: every 7 → 14 days"
    )


def test_marker_styles_meet_non_text_contrast() -> None:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def contrast(a: str, b: str) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    colours = [s.colour for s in trajectory.MARKER_STYLES.values()]
    colours += [trajectory.SCORE, trajectory.EXPECTED_LINE, trajectory.INK]
    for colour in colours:
        for background in ("#ffffff", *trajectory.BAND_FILLS):
            assert contrast(colour, background) >= 3, (colour, background)


def test_svg_is_labelled_for_assistive_technology() -> None:
    root = parse(trajectory.render(phq9_chart()))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-phq9-title chart-phq9-desc"
    assert root.find("s:title", NS).get("id") == "chart-phq9-title"
    assert root.find("s:desc", NS).text == "PHQ-9 fell from 18 to 9."


def test_every_text_is_escaped() -> None:
    evil = '<script>alert("x")</script>&'
    chart = phq9_chart(
        chart_id='c"><script>',
        title=evil,
        description=evil,
        points=(ScorePoint(week(0), 18, evil, shown_on=evil),),
        thresholds=(Threshold(10, evil),),
        markers=(Marker(week(1), evil, evil, evil),),
        bands=(SeverityBand(0, 27, evil),),
    )
    markup = trajectory.render(chart)
    markup += legend.render_legend(chart, score_label=evil, prorated_label=evil)
    assert "<script" not in markup
    assert "&lt;script&gt;" in markup
    parse(trajectory.render(chart))  # still well-formed XML


def test_prorated_points_are_hollow_and_in_the_legend() -> None:
    chart = phq9_chart(points=(ScorePoint(week(0), 18), ScorePoint(week(1), 13.5, prorated=True)))
    root = parse(trajectory.render(chart))
    hollow = root.find(".//s:g[@class='point point-prorated']/s:circle", NS)
    assert hollow is not None and hollow.get("fill") == "#ffffff"
    html = legend.render_legend(chart, score_label="PHQ-9 score", prorated_label="Prorated")
    assert "Prorated" in html


def test_legend_labels_unverified_parts() -> None:
    weeks = (ExpectedWeek(4, alert_at_or_above=17), ExpectedWeek(5, alert_at_or_above=17))
    chart = phq9_chart(
        expected=ExpectedRecovery(
            ORIGIN, weeks, "Published non-response threshold", unverified=True
        ),
        markers=(Marker(week(2), "alert", "x"),),
    )
    html = legend.render_legend(chart, score_label="PHQ-9 score", prorated_label="Prorated")
    items = re.findall(r"<li(?: class=\"unverified\")?>.*?</li>", html)
    unverified = [i for i in items if 'class="unverified"' in i]
    assert len(unverified) == 2  # reliable change and the published reference
    assert all("UNVERIFIED" in i for i in unverified)
    assert "Alert raised" in html
    assert "moderate 10–14" in html


# ---------------------------------------------------------------- heatmap


def phq9_heatmap() -> HeatmapInput:
    items = tuple(HeatmapItem(str(n), f"Item {n}", risk=n == 9) for n in range(1, 10))
    columns = (
        HeatmapColumn(week(0), (3, 3, 2, 2, 1, 1, 0, 0, 0), "5 Jan"),
        HeatmapColumn(week(1), (2, 3, 2, 1, 1, 0, 0, 0, 2), "12 Jan"),
        HeatmapColumn(week(2), (1, 2, 1, 1, 0, 0, 0, None, 0), "19 Jan"),
    )
    return HeatmapInput("heatmap-phq9", "PHQ-9 items", "Rows are items", items, columns, 3)


def test_heatmap_cells_sit_on_the_grid_with_number_and_shade() -> None:
    root = parse(heatmap.render(phq9_heatmap()))
    rows = root.findall("s:g", NS)
    assert len(rows) == 9
    first_row_cells = rows[0].findall("s:g", NS)
    assert len(first_row_cells) == 3
    rect = first_row_cells[1].find("s:rect", NS)
    x, y = heatmap.cell_origin(0, 1)
    assert rect is not None
    assert (float(rect.get("x", "")), float(rect.get("y", ""))) == (x + 1, y + 1)
    assert rect.get("fill") == heatmap.shade(2, 3)[0]  # item 1 at the second administration
    assert first_row_cells[1].find("s:text", NS).text == "2"


def test_item_9_is_highlighted_and_its_positive_cell_bordered() -> None:
    root = parse(heatmap.render(phq9_heatmap()))
    risk_rows = root.findall("s:g[@class='item-row risk-item']", NS)
    assert [r.get("data-item") for r in risk_rows] == ["9"]
    risk = risk_rows[0]
    assert risk.find("s:rect[@class='risk-outline']", NS) is not None
    label = risk.find("s:text", NS)
    assert label is not None and label.text is not None and label.text.startswith("⚠ 9.")
    positive = risk.findall("s:g[@class='cell cell-risk-positive']", NS)
    assert len(positive) == 1 and positive[0].get("data-value") == "2"
    others = root.findall("s:g[@class='item-row']", NS)
    assert all(r.find("s:rect[@class='risk-outline']", NS) is None for r in others)


def test_unanswered_item_is_dashed_and_named() -> None:
    root = parse(heatmap.render(phq9_heatmap()))
    missing = root.findall(".//s:g[@class='cell cell-missing']", NS)
    assert len(missing) == 1
    assert missing[0].find("s:title", NS).text == "not answered"


def test_heatmap_size_grows_with_columns() -> None:
    chart = phq9_heatmap()
    width, height = heatmap.size(chart)
    assert width == heatmap.LABEL_W + 3 * heatmap.CELL_W + heatmap.PAD
    assert height == heatmap.HEADER_H + 9 * heatmap.CELL_H + heatmap.PAD


@pytest.mark.parametrize(("value", "ink"), [(0, "#1b1b1b"), (1, "#1b1b1b"), (3, "#ffffff")])
def test_shade_text_colour(value: int, ink: str) -> None:
    assert heatmap.shade(value, 3)[1] == ink


def test_heatmap_key_lists_every_score() -> None:
    key = heatmap.render_key(3, scores_label="Item score:", risk_label="risk <item>")
    assert key.count("<rect") == 5  # four scores + the risk outline
    assert "risk &lt;item&gt;" in key


def test_same_day_markers_sit_side_by_side() -> None:
    chart = phq9_chart(markers=(Marker(week(2), "alert", "a"), Marker(week(2), "plan", "p")))
    geo = trajectory.geometry(chart)
    root = parse(trajectory.render(chart))
    alert, plan = root.findall(".//s:g[@class='markers']/s:g", NS)
    tip = alert.find("s:polygon", NS).get("points", "").split()[0]  # triangle apex
    assert float(tip.split(",")[0]) == pytest.approx(geo.x(2), abs=0.01)
    diamond = plan.find("s:polygon", NS).get("points", "").split()[0]  # diamond top
    assert float(diamond.split(",")[0]) == pytest.approx(
        geo.x(2) + trajectory.MARKER_SPACING, abs=0.01
    )


def test_last_reference_threshold_holds_to_the_end_of_the_axis() -> None:
    weeks = (ExpectedWeek(4, alert_at_or_above=17), ExpectedWeek(9, alert_at_or_above=13))
    chart = phq9_chart(expected=ExpectedRecovery(ORIGIN, weeks, "published", unverified=True))
    geo = trajectory.geometry(chart)
    step = parse(trajectory.render(chart)).find(".//s:polyline[@class='expected-reference']", NS)
    assert step is not None
    last_x = float(step.get("points", "").split()[-1].split(",")[0])
    assert last_x == pytest.approx(geo.x(geo.max_week), abs=0.01)


def test_unverified_band_in_legend_is_starred_and_tagged() -> None:
    chart = phq9_chart(bands=MEASURES["core10"].bands)
    html = legend.render_legend(chart, score_label="CORE-10 score", prorated_label="Prorated")
    assert '<li class="unverified"><svg' in html
    assert "mild 11–14 *</span>" in html


def test_threshold_starting_at_the_axis_end_is_neither_drawn_nor_in_the_legend() -> None:
    # Points to week 3: the axis ends at week 4, where the published rule would only start.
    points = (ScorePoint(week(0), 15), ScorePoint(week(2), 17))
    weeks = (ExpectedWeek(4, alert_at_or_above=17),)
    chart = phq9_chart(
        points=points, expected=ExpectedRecovery(ORIGIN, weeks, "Published", unverified=True)
    )
    assert trajectory.geometry(chart).max_week == 4
    assert (
        parse(trajectory.render(chart)).find(".//s:polyline[@class='expected-reference']", NS)
        is None
    )
    html = legend.render_legend(chart, score_label="PHQ-9 score", prorated_label="Prorated")
    assert "Published" not in html
