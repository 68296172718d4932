"""A measure's total over weeks in treatment, as one SVG a clinician reads at a glance.

Layers, back to front: severity bands (tinted, labelled at the right), the service's
expected-recovery band (p10–p90 light, p25–p75 darker, median dashed; or the published
non-response threshold as a dotted step line), the reliable-change band around the baseline
(hatched), grid and axes, thresholds (caseness, dashed), dated markers (alerts, plan changes,
stepped-care steps: a vertical line and a symbol per kind), and the score line with its points.

Nothing relies on colour alone: bands are labelled, lines differ by dash pattern, markers by shape
and every point and marker carries a <title> (the browser shows it on hover, without script).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from careloop.monitoring.charts import svg
from careloop.monitoring.charts.scales import LinearScale, ticks
from careloop.monitoring.charts.types import (
    ExpectedRecovery,
    ExpectedWeek,
    Marker,
    ReliableChangeBand,
    SeverityBand,
    Threshold,
    TrajectoryInput,
)

WIDTH, HEIGHT = 760, 330
LEFT, RIGHT, TOP, BOTTOM = 52, 170, 34, 48
PLOT_X0, PLOT_X1 = LEFT, WIDTH - RIGHT
PLOT_Y0, PLOT_Y1 = TOP, HEIGHT - BOTTOM
MARKER_SPACING = 14  # px between the symbols of markers on the same day
MIN_WEEKS = 4  # the axis shows at least weeks 0–4, so one or two points do not fill it

INK, MUTED, GRID = "#1b1b1b", "#4a4a4a", "#d4d4d4"
SCORE = "#0b5394"  # 8.0:1 on white, ≥ 5:1 on every band tint
EXPECTED_LINE = "#5b2c83"
# Translucent, so the severity bands stay visible beneath the expected-recovery band.
EXPECTED_OUTER, EXPECTED_INNER = "#5b2c83", "#5b2c83"
EXPECTED_OUTER_OPACITY, EXPECTED_INNER_OPACITY = 0.10, 0.20
# Lowest band first: pale green to pale red. Background tints, always labelled in words.
BAND_FILLS = ("#eef6ee", "#f6f6e4", "#fcf0dc", "#fbe4d5", "#f8d6d6", "#f2c9cf")


@dataclass(frozen=True)
class MarkerStyle:
    shape: str  # triangle, diamond, square, circle
    colour: str  # ≥ 3:1 against white (WCAG 2.2 non-text contrast)
    dash: str
    title: str  # the legend's English default; callers pass translations in ChartWords


# One line adds a kind (the stepped-care step changes are expected as "step").
MARKER_STYLES: dict[str, MarkerStyle] = {
    "alert": MarkerStyle("triangle", "#a4000f", "4 3", "Alert raised"),
    "plan": MarkerStyle("diamond", "#4a4a4a", "2 3", "Measurement plan changed"),
    "step": MarkerStyle("square", "#1d6b3a", "6 3", "Stepped-care step changed"),
}
DEFAULT_MARKER = MarkerStyle("circle", "#4a4a4a", "2 2", "Event")


def marker_style(kind: str) -> MarkerStyle:
    return MARKER_STYLES.get(kind, DEFAULT_MARKER)


def weeks_between(origin: date, day: date) -> float:
    return (day - origin).days / 7


@dataclass(frozen=True)
class Geometry:
    x: LinearScale  # weeks → pixels
    y: LinearScale  # score → pixels (upwards)
    max_week: int


def geometry(chart: TrajectoryInput) -> Geometry:
    """The scales: weeks 0 to the last point or marker (at least MIN_WEEKS, rounded up to a
    whole week, plus one so the last point is not on the edge), scores over the measure's range."""
    latest = [weeks_between(chart.origin, p.on) for p in chart.points]
    latest += [weeks_between(chart.origin, m.on) for m in chart.markers]
    span = max([MIN_WEEKS - 1.0, *latest])
    max_week = math.ceil(span) + 1
    return Geometry(
        x=LinearScale(0, max_week, PLOT_X0, PLOT_X1),
        y=LinearScale(chart.min_score, chart.max_score, PLOT_Y1, PLOT_Y0),
        max_week=max_week,
    )


def render(chart: TrajectoryInput) -> str:
    """The chart as one <svg> element (role="img", labelled by its <title> and <desc>)."""
    geo = geometry(chart)
    cid = svg.esc(chart.chart_id)
    layers = [
        svg.text("title", {"id": f"{cid}-title"}, chart.title),
        svg.text("desc", {"id": f"{cid}-desc"}, chart.description),
        _defs(cid),
        _bands(chart.bands, geo),
        _expected(chart.expected, chart.origin, geo) if chart.expected else "",
        _reliable_change(chart.reliable_change, cid, geo) if chart.reliable_change else "",
        _grid(chart, geo),
        _thresholds(chart.thresholds, geo, chart.words.unverified),
        _markers(chart.markers, chart.origin, geo, chart.words.marker_titles),
        _scores(chart, geo),
    ]
    return svg.element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "role": "img",
            "aria-labelledby": f"{cid}-title {cid}-desc",
            "class": "chart chart-trajectory",
            "id": cid,
            "font-family": "system-ui, sans-serif",
            "font-size": 12,
        },
        *layers,
    )


def _defs(cid: str) -> str:
    hatch = svg.element(
        "pattern",
        {
            "id": f"{cid}-hatch",
            "width": 6,
            "height": 6,
            "patternUnits": "userSpaceOnUse",
            "patternTransform": "rotate(45)",
        },
        svg.element("line", {"x1": 0, "y1": 0, "x2": 0, "y2": 6, "stroke": "#767676"}),
    )
    return svg.element("defs", {}, hatch)


def _bands(bands: Iterable[SeverityBand], geo: Geometry) -> str:
    parts = []
    for index, band in enumerate(sorted(bands, key=lambda b: b.low)):
        top, bottom = geo.y.clamped(band.high), geo.y.clamped(band.low)
        if bottom - top <= 0:
            continue
        css = "band band-unverified" if band.unverified else "band"
        label = band.label + (" *" if band.unverified else "")
        parts.append(
            svg.group(
                {"class": css},
                [
                    svg.element(
                        "rect",
                        {
                            "x": PLOT_X0,
                            "y": float(top),
                            "width": PLOT_X1 - PLOT_X0,
                            "height": float(bottom - top),
                            "fill": BAND_FILLS[min(index, len(BAND_FILLS) - 1)],
                        },
                    ),
                    svg.text(
                        "text",
                        {
                            "x": PLOT_X1 + 6,
                            "y": float((top + bottom) / 2 + 4),
                            "fill": MUTED,
                            "font-size": 11,
                        },
                        label,
                    ),
                ],
            )
        )
    return svg.group({"class": "bands"}, parts)


def expected_shown(
    expected: ExpectedRecovery, origin: date, geo: Geometry
) -> tuple[list[ExpectedWeek], list[ExpectedWeek]]:
    """The percentile weeks and the reference-threshold weeks that are drawn inside the axis
    (a band needs two weeks, a threshold must start before the axis ends); the legend names
    only what is drawn."""
    offset = weeks_between(origin, expected.baseline_on)
    shown = [w for w in expected.weeks if 0 <= w.week + offset <= geo.max_week]
    band_weeks = [w for w in shown if w.is_percentile_band]
    reference = [
        w for w in shown if w.alert_at_or_above is not None and w.week + offset < geo.max_week
    ]
    return (band_weeks if len(band_weeks) >= 2 else []), reference


def _expected(expected: ExpectedRecovery, origin: date, geo: Geometry) -> str:
    offset = weeks_between(origin, expected.baseline_on)
    band_weeks, reference = expected_shown(expected, origin, geo)
    parts = []
    if band_weeks:

        def x(week: int) -> float:
            return geo.x(week + offset)

        def area(low: str, high: str, fill: str, opacity: float, css: str) -> str:
            upper = [(x(w.week), geo.y.clamped(getattr(w, high))) for w in band_weeks]
            lower = [(x(w.week), geo.y.clamped(getattr(w, low))) for w in reversed(band_weeks)]
            return svg.element(
                "polygon",
                {
                    "points": svg.points(upper + lower),
                    "fill": fill,
                    "fill-opacity": opacity,
                    "class": css,
                },
            )

        parts.append(area("p10", "p90", EXPECTED_OUTER, EXPECTED_OUTER_OPACITY, "expected-outer"))
        parts.append(area("p25", "p75", EXPECTED_INNER, EXPECTED_INNER_OPACITY, "expected-inner"))
        median = [(x(w.week), geo.y.clamped(w.p50 or 0)) for w in band_weeks]
        parts.append(
            svg.element(
                "polyline",
                {
                    "points": svg.points(median),
                    "fill": "none",
                    "stroke": EXPECTED_LINE,
                    "stroke-width": 2,
                    "stroke-dasharray": "8 4",
                    "class": "expected-median",
                },
            )
        )
    if reference:
        steps: list[tuple[float, float]] = []
        for position, w in enumerate(reference):
            y = geo.y.clamped(w.alert_at_or_above or 0)
            # Each threshold holds until the next one; the last holds to the end of the axis.
            end = (
                reference[position + 1].week + offset
                if position + 1 < len(reference)
                else geo.max_week
            )
            steps += [(geo.x(w.week + offset), y), (geo.x(min(end, geo.max_week)), y)]
        parts.append(
            svg.element(
                "polyline",
                {
                    "points": svg.points(steps),
                    "fill": "none",
                    "stroke": EXPECTED_LINE,
                    "stroke-width": 2.5,
                    "stroke-dasharray": "2 3",
                    "class": "expected-reference",
                },
            )
        )
    return svg.group({"class": "expected"}, parts)


def _reliable_change(band: ReliableChangeBand, cid: str, geo: Geometry) -> str:
    top, bottom = geo.y.clamped(band.high), geo.y.clamped(band.low)
    edge: dict[str, svg.AttrValue] = {
        "x1": PLOT_X0,
        "x2": PLOT_X1,
        "stroke": "#595959",
        "stroke-dasharray": "3 3",
    }
    return svg.group(
        {"class": "reliable-change"},
        [
            svg.element(
                "rect",
                {
                    "x": PLOT_X0,
                    "y": float(top),
                    "width": PLOT_X1 - PLOT_X0,
                    "height": float(bottom - top),
                    "fill": f"url(#{cid}-hatch)",
                    "fill-opacity": 0.55,
                },
            ),
            svg.element("line", {**edge, "y1": float(top), "y2": float(top)}),
            svg.element("line", {**edge, "y1": float(bottom), "y2": float(bottom)}),
        ],
    )


def _grid(chart: TrajectoryInput, geo: Geometry) -> str:
    parts = []
    for value in ticks(chart.min_score, chart.max_score, 6):
        y = geo.y(value)
        parts.append(
            svg.element("line", {"x1": PLOT_X0, "x2": PLOT_X1, "y1": y, "y2": y, "stroke": GRID})
        )
        parts.append(
            svg.text(
                "text",
                {"x": PLOT_X0 - 8, "y": y + 4, "text-anchor": "end", "fill": INK},
                value,
            )
        )
    for week in ticks(0, geo.max_week, 12):
        x = geo.x(week)
        parts.append(
            svg.element("line", {"x1": x, "x2": x, "y1": PLOT_Y1, "y2": PLOT_Y1 + 5, "stroke": INK})
        )
        parts.append(
            svg.text(
                "text",
                {"x": x, "y": PLOT_Y1 + 18, "text-anchor": "middle", "fill": INK},
                week,
            )
        )
    frame: dict[str, svg.AttrValue] = {"fill": "none", "stroke": INK, "stroke-width": 1}
    parts.append(
        svg.element(
            "polyline",
            {
                **frame,
                "points": svg.points([(PLOT_X0, PLOT_Y0), (PLOT_X0, PLOT_Y1), (PLOT_X1, PLOT_Y1)]),
            },
        )
    )
    parts.append(
        svg.text(
            "text",
            {
                "x": (PLOT_X0 + PLOT_X1) / 2,
                "y": HEIGHT - 8,
                "text-anchor": "middle",
                "fill": INK,
                "class": "axis-title",
            },
            chart.words.x_axis,
        )
    )
    y_mid = (PLOT_Y0 + PLOT_Y1) / 2
    parts.append(
        svg.text(
            "text",
            {
                "x": 14,
                "y": y_mid,
                "text-anchor": "middle",
                "fill": INK,
                "transform": f"rotate(-90 14 {svg.num(y_mid)})",
                "class": "axis-title",
            },
            chart.words.y_axis,
        )
    )
    return svg.group({"class": "grid", "aria-hidden": "true"}, parts)


def _thresholds(thresholds: Iterable[Threshold], geo: Geometry, unverified: str) -> str:
    parts = []
    for line in thresholds:
        y = geo.y.clamped(line.value)
        label = line.label + (f" ({unverified})" if line.unverified else "")
        parts.append(
            svg.group(
                {"class": "threshold"},
                [
                    svg.element(
                        "line",
                        {
                            "x1": PLOT_X0,
                            "x2": PLOT_X1,
                            "y1": y,
                            "y2": y,
                            "stroke": INK,
                            "stroke-width": 1.5,
                            "stroke-dasharray": "7 4",
                        },
                    ),
                    svg.text(
                        "text",
                        {
                            "x": PLOT_X0 + 6,
                            "y": y - 4,
                            "fill": INK,
                            "font-size": 11,
                            "font-weight": 600,
                            "class": "halo",
                            "stroke": "#ffffff",
                            "stroke-width": 3,
                            "paint-order": "stroke",
                        },
                        label,
                    ),
                ],
            )
        )
    return svg.group({"class": "thresholds"}, parts)


def symbol(shape: str, x: float, y: float, colour: str, size: float = 6) -> str:
    """A marker symbol centred on (x, y)."""
    if shape == "triangle":
        pts = [(x, y - size), (x + size, y + size * 0.8), (x - size, y + size * 0.8)]
        return svg.element("polygon", {"points": svg.points(pts), "fill": colour})
    if shape == "diamond":
        pts = [(x, y - size), (x + size, y), (x, y + size), (x - size, y)]
        return svg.element("polygon", {"points": svg.points(pts), "fill": colour})
    if shape == "square":
        side = size * 1.6
        return svg.element(
            "rect",
            {"x": x - side / 2, "y": y - side / 2, "width": side, "height": side, "fill": colour},
        )
    return svg.element("circle", {"cx": x, "cy": y, "r": size * 0.8, "fill": colour})


def _markers(markers: Iterable[Marker], origin: date, geo: Geometry, titles: dict[str, str]) -> str:
    parts = []
    same_day: dict[date, int] = {}
    for marker in sorted(markers, key=lambda m: (m.on, m.kind)):
        week = weeks_between(origin, marker.on)
        if week < 0 or week > geo.max_week:
            continue
        style = marker_style(marker.kind)
        x = geo.x(week)
        # Symbols of markers on the same day sit side by side, so none hides another.
        stacked = same_day.get(marker.on, 0)
        same_day[marker.on] = stacked + 1
        title = titles.get(marker.kind, style.title)
        hover = f"{title}, {marker.shown_on or marker.on.isoformat()}: {marker.label}"
        parts.append(
            svg.group(
                {"class": f"marker marker-{marker.kind}", "data-kind": marker.kind},
                [
                    svg.text("title", {}, hover),
                    svg.element(
                        "line",
                        {
                            "x1": x,
                            "x2": x,
                            "y1": PLOT_Y0,
                            "y2": PLOT_Y1,
                            "stroke": style.colour,
                            "stroke-width": 1.5,
                            "stroke-dasharray": style.dash,
                        },
                    ),
                    symbol(style.shape, x + stacked * MARKER_SPACING, PLOT_Y0 - 12, style.colour),
                ],
            )
        )
    return svg.group({"class": "markers"}, parts)


def point_xy(chart: TrajectoryInput, index: int) -> tuple[float, float]:
    """Where point `index` is drawn (for tests and the hover script's callers)."""
    geo = geometry(chart)
    point = chart.points[index]
    return geo.x(weeks_between(chart.origin, point.on)), geo.y.clamped(point.score)


def _scores(chart: TrajectoryInput, geo: Geometry) -> str:
    placed = [
        (geo.x(weeks_between(chart.origin, p.on)), geo.y.clamped(p.score), p)
        for p in sorted(chart.points, key=lambda p: p.on)
    ]
    if not placed:
        return ""
    parts = []
    if len(placed) > 1:
        parts.append(
            svg.element(
                "polyline",
                {
                    "points": svg.points((x, y) for x, y, _ in placed),
                    "fill": "none",
                    "stroke": SCORE,
                    "stroke-width": 2.5,
                    "stroke-linejoin": "round",
                    "class": "score-line",
                },
            )
        )
    for x, y, point in placed:
        week = weeks_between(chart.origin, point.on)
        shown = svg.num(point.score)
        band = f" ({point.band})" if point.band else ""
        hover = (
            f"{chart.words.week} {svg.num(round(week, 1))}, "
            f"{point.shown_on or point.on.isoformat()}: {shown}{band}"
        )
        parts.append(
            svg.group(
                {
                    "class": "point point-prorated" if point.prorated else "point",
                    "data-value": hover,
                },
                [
                    svg.text("title", {}, hover),
                    svg.element(
                        "circle",
                        {
                            "cx": x,
                            "cy": y,
                            "r": 4.5,
                            "fill": "#ffffff" if point.prorated else SCORE,
                            "stroke": SCORE,
                            "stroke-width": 2,
                        },
                    ),
                ],
            )
        )
    last_x, last_y, last = placed[-1]
    parts.append(
        svg.text(
            "text",
            {
                "x": last_x,
                "y": last_y - 9,
                "text-anchor": "middle",
                "fill": SCORE,
                "font-weight": 700,
                "stroke": "#ffffff",
                "stroke-width": 3,
                "paint-order": "stroke",
                "class": "last-value",
            },
            svg.num(last.score),
        )
    )
    return svg.group({"class": "scores"}, parts)
