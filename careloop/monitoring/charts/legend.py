"""The legend of a trajectory chart as an HTML list, each entry with a small SVG swatch drawn
like the chart draws it (so the key matches in shape and dash, not only colour). UNVERIFIED
parts say so in words."""

from __future__ import annotations

from careloop.monitoring.charts import svg
from careloop.monitoring.charts.trajectory import (
    BAND_FILLS,
    EXPECTED_INNER,
    EXPECTED_INNER_OPACITY,
    EXPECTED_LINE,
    EXPECTED_OUTER,
    EXPECTED_OUTER_OPACITY,
    INK,
    SCORE,
    expected_shown,
    geometry,
    marker_style,
    symbol,
)
from careloop.monitoring.charts.types import TrajectoryInput

SWATCH_W, SWATCH_H = 28, 14


def _swatch(*children: str) -> str:
    return svg.element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {SWATCH_W} {SWATCH_H}",
            "width": SWATCH_W,
            "height": SWATCH_H,
            "aria-hidden": "true",
            "focusable": "false",
            "class": "swatch",
        },
        *children,
    )


def _line(colour: str, dash: str | None, width: float = 2) -> str:
    return svg.element(
        "line",
        {
            "x1": 1,
            "x2": SWATCH_W - 1,
            "y1": SWATCH_H / 2,
            "y2": SWATCH_H / 2,
            "stroke": colour,
            "stroke-width": width,
            "stroke-dasharray": dash,
        },
    )


def _rect(fill: str, stroke: str | None = None) -> str:
    return svg.element(
        "rect",
        {
            "x": 1,
            "y": 1,
            "width": SWATCH_W - 2,
            "height": SWATCH_H - 2,
            "fill": fill,
            "stroke": stroke or "#767676",
        },
    )


def _entry(swatch: str, words: str, *, unverified: bool = False, marker: str = "") -> str:
    css = ' class="unverified"' if unverified else ""
    note = f' <strong class="unverified-tag">{svg.esc(marker)}</strong>' if unverified else ""
    return f"<li{css}>{swatch} <span>{svg.esc(words)}</span>{note}</li>"


def render_legend(chart: TrajectoryInput, *, score_label: str, prorated_label: str) -> str:
    """`<ul class="chart-legend">` naming every layer the chart shows."""
    unverified = chart.words.unverified
    entries = [
        _entry(
            _swatch(
                _line(SCORE, None, 2.5),
                svg.element(
                    "circle", {"cx": SWATCH_W / 2, "cy": SWATCH_H / 2, "r": 4, "fill": SCORE}
                ),
            ),
            score_label,
        )
    ]
    if any(point.prorated for point in chart.points):
        entries.append(
            _entry(
                _swatch(
                    svg.element(
                        "circle",
                        {
                            "cx": SWATCH_W / 2,
                            "cy": SWATCH_H / 2,
                            "r": 4,
                            "fill": "#ffffff",
                            "stroke": SCORE,
                            "stroke-width": 2,
                        },
                    )
                ),
                prorated_label,
            )
        )
    for index, band in enumerate(sorted(chart.bands, key=lambda b: b.low)):
        fill = BAND_FILLS[min(index, len(BAND_FILLS) - 1)]
        entries.append(
            _entry(
                _swatch(_rect(fill)),
                band.label + (" *" if band.unverified else ""),
                unverified=band.unverified,
                marker=unverified,
            )
        )
    for line in chart.thresholds:
        entries.append(
            _entry(
                _swatch(_line(INK, "7 4", 1.5)),
                line.label,
                unverified=line.unverified,
                marker=unverified,
            )
        )
    if chart.reliable_change is not None:
        rc = chart.reliable_change
        hatch = svg.element(
            "pattern",
            {
                "id": f"{chart.chart_id}-legend-hatch",
                "width": 6,
                "height": 6,
                "patternUnits": "userSpaceOnUse",
                "patternTransform": "rotate(45)",
            },
            svg.element("line", {"x1": 0, "y1": 0, "x2": 0, "y2": 6, "stroke": "#767676"}),
        )
        entries.append(
            _entry(
                _swatch(
                    svg.element("defs", {}, hatch),
                    _rect(f"url(#{svg.esc(chart.chart_id)}-legend-hatch)", "#595959"),
                ),
                rc.label,
                unverified=rc.unverified,
                marker=unverified,
            )
        )
    band_weeks, reference = (
        expected_shown(chart.expected, chart.origin, geometry(chart))
        if chart.expected is not None
        else ([], [])
    )
    if chart.expected is not None and (band_weeks or reference):
        expected = chart.expected
        has_band = bool(band_weeks)
        swatch = (
            _swatch(
                svg.element(
                    "rect",
                    {
                        "x": 1,
                        "y": 1,
                        "width": SWATCH_W - 2,
                        "height": SWATCH_H - 2,
                        "fill": EXPECTED_OUTER,
                        "fill-opacity": EXPECTED_OUTER_OPACITY,
                    },
                ),
                svg.element(
                    "rect",
                    {
                        "x": 1,
                        "y": 4,
                        "width": SWATCH_W - 2,
                        "height": 6,
                        "fill": EXPECTED_INNER,
                        "fill-opacity": EXPECTED_INNER_OPACITY,
                    },
                ),
                _line(EXPECTED_LINE, "8 4"),
            )
            if has_band
            else _swatch(_line(EXPECTED_LINE, "2 3", 2.5))
        )
        entries.append(
            _entry(swatch, expected.label, unverified=expected.unverified, marker=unverified)
        )
    for kind in sorted({m.kind for m in chart.markers}):
        style = marker_style(kind)
        title = chart.words.marker_titles.get(kind, style.title)
        entries.append(
            _entry(
                _swatch(
                    _line(style.colour, style.dash, 1.5),
                    symbol(style.shape, SWATCH_W / 2, SWATCH_H / 2, style.colour, 5),
                ),
                title,
            )
        )
    return f'<ul class="chart-legend">{"".join(entries)}</ul>'
