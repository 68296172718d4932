"""Item scores by administration: rows are a questionnaire's items, columns its administrations
(oldest left), so a clinician sees which symptoms drive the total and how each moves.

Each cell shows its number as well as its shade (never colour alone). Risk items (PHQ-9 item 9)
are outlined in red and their label is bold and marked; a risk cell above 0 gets a thick red
border of its own.
"""

from __future__ import annotations

from careloop.monitoring.charts import svg
from careloop.monitoring.charts.types import HeatmapInput

CELL_W, CELL_H = 38, 26
LABEL_W = 300
HEADER_H = 36
PAD = 8
RISK = "#a4000f"
LABEL_CHARS = 40  # fits LABEL_W at 12 px; a risk label (bold, with ⚠) gets 4 fewer
RISK_LABEL_CHARS = 36

# Sequential blues from "not at all" to the item maximum; the text colour keeps ≥ 4.5:1.
SHADES = ("#f5f8fc", "#c6dbef", "#85b6dc", "#3d85c6", "#1a5a96")
DARK_FROM = 3  # shades from this index carry white text


def shade(value: int, max_value: int) -> tuple[str, str]:
    """(fill, text colour) for an item score on a 0–`max_value` scale."""
    if max_value <= 0:
        return SHADES[0], "#1b1b1b"
    index = round(value / max_value * (len(SHADES) - 1))
    index = min(max(index, 0), len(SHADES) - 1)
    return SHADES[index], "#ffffff" if index >= DARK_FROM else "#1b1b1b"


def size(chart: HeatmapInput) -> tuple[int, int]:
    return (
        LABEL_W + len(chart.columns) * CELL_W + PAD,
        HEADER_H + len(chart.items) * CELL_H + PAD,
    )


def cell_origin(row: int, column: int) -> tuple[int, int]:
    """Top-left corner of the cell for item `row` at administration `column`."""
    return LABEL_W + column * CELL_W, HEADER_H + row * CELL_H


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def render(chart: HeatmapInput) -> str:
    width, height = size(chart)
    cid = svg.esc(chart.chart_id)
    parts = [
        svg.text("title", {"id": f"{cid}-title"}, chart.title),
        svg.text("desc", {"id": f"{cid}-desc"}, chart.description),
    ]
    for column, administration in enumerate(chart.columns):
        x = LABEL_W + column * CELL_W + CELL_W / 2
        words = (administration.shown_on or administration.on.isoformat()).split(" ", 1)
        lines = [
            svg.text(
                "tspan",
                {"x": x, "dy": 0 if n == 0 else 12},
                word,
            )
            for n, word in enumerate(words)
        ]
        parts.append(
            svg.element(
                "text",
                {"x": x, "y": 14, "text-anchor": "middle", "font-size": 11, "fill": "#1b1b1b"},
                *lines,
            )
        )
    for row, item in enumerate(chart.items):
        y = HEADER_H + row * CELL_H
        label = _short(
            ("⚠ " if item.risk else "") + f"{item.number}. {item.label}",
            RISK_LABEL_CHARS if item.risk else LABEL_CHARS,
        )
        row_parts = [
            svg.text("title", {}, f"{item.number}. {item.label}"),
            svg.text(
                "text",
                {
                    "x": LABEL_W - 8,
                    "y": y + CELL_H / 2 + 4,
                    "text-anchor": "end",
                    "font-size": 12,
                    "fill": RISK if item.risk else "#1b1b1b",
                    "font-weight": 700 if item.risk else None,
                },
                label,
            ),
        ]
        for column, administration in enumerate(chart.columns):
            value = administration.scores[row] if row < len(administration.scores) else None
            x, _ = cell_origin(row, column)
            row_parts.append(_cell(chart, x, y, value, risk=item.risk))
        if item.risk:
            row_parts.append(
                svg.element(
                    "rect",
                    {
                        "x": 2,
                        "y": y + 1,
                        "width": LABEL_W - 2 + len(chart.columns) * CELL_W,
                        "height": CELL_H - 2,
                        "fill": "none",
                        "stroke": RISK,
                        "stroke-width": 2,
                        "rx": 3,
                        "class": "risk-outline",
                    },
                )
            )
        parts.append(
            svg.group(
                {
                    "class": "item-row risk-item" if item.risk else "item-row",
                    "data-item": item.number,
                },
                row_parts,
            )
        )
    return svg.element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width} {height}",
            "width": width,
            "role": "img",
            "aria-labelledby": f"{cid}-title {cid}-desc",
            "class": "chart chart-heatmap",
            "id": cid,
            "font-family": "system-ui, sans-serif",
            "font-size": 12,
        },
        *parts,
    )


def _cell(chart: HeatmapInput, x: int, y: int, value: int | None, *, risk: bool) -> str:
    box: dict[str, svg.AttrValue] = {
        "x": x + 1,
        "y": y + 1,
        "width": CELL_W - 2,
        "height": CELL_H - 2,
    }
    if value is None:
        return svg.group(
            {"class": "cell cell-missing"},
            [
                svg.text("title", {}, chart.not_answered),
                svg.element(
                    "rect",
                    {**box, "fill": "#ffffff", "stroke": "#767676", "stroke-dasharray": "2 2"},
                ),
                svg.text(
                    "text",
                    {
                        "x": x + CELL_W / 2,
                        "y": y + CELL_H / 2 + 4,
                        "text-anchor": "middle",
                        "fill": "#4a4a4a",
                    },
                    "–",
                ),
            ],
        )
    fill, ink = shade(value, chart.max_item_score)
    positive_risk = risk and value > 0
    css = "cell cell-risk-positive" if positive_risk else "cell"
    stroke: dict[str, svg.AttrValue] = {"stroke": RISK, "stroke-width": 3} if positive_risk else {}
    return svg.group(
        {"class": css, "data-value": value},
        [
            svg.element("rect", {**box, "fill": fill, **stroke}),
            svg.text(
                "text",
                {
                    "x": x + CELL_W / 2,
                    "y": y + CELL_H / 2 + 4,
                    "text-anchor": "middle",
                    "fill": ink,
                    "font-weight": 700 if positive_risk else None,
                },
                value,
            ),
        ],
    )


def render_key(max_item_score: int, *, scores_label: str, risk_label: str) -> str:
    """The heatmap's key as HTML: one numbered swatch per item score, and the risk outline."""
    swatches = []
    for value in range(max_item_score + 1):
        fill, ink = shade(value, max_item_score)
        swatches.append(
            svg.element(
                "svg",
                {
                    "xmlns": "http://www.w3.org/2000/svg",
                    "viewBox": "0 0 24 18",
                    "width": 24,
                    "height": 18,
                    "aria-hidden": "true",
                    "focusable": "false",
                },
                svg.element(
                    "rect",
                    {
                        "x": 0.5,
                        "y": 0.5,
                        "width": 23,
                        "height": 17,
                        "fill": fill,
                        "stroke": "#767676",
                    },
                ),
                svg.text(
                    "text",
                    {"x": 12, "y": 13, "text-anchor": "middle", "fill": ink, "font-size": 11},
                    value,
                ),
            )
        )
    risk = svg.element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": "0 0 24 18",
            "width": 24,
            "height": 18,
            "aria-hidden": "true",
            "focusable": "false",
        },
        svg.element(
            "rect",
            {
                "x": 1.5,
                "y": 1.5,
                "width": 21,
                "height": 15,
                "fill": "#ffffff",
                "stroke": RISK,
                "stroke-width": 3,
            },
        ),
    )
    return (
        '<p class="heatmap-key">'
        f"<span>{svg.esc(scores_label)}</span> {''.join(swatches)} "
        f'<span class="risk-key">{risk} {svg.esc(risk_label)}</span></p>'
    )
