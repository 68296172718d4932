"""Server-rendered SVG charts for the service dashboard (pure: no Django, table-tested).

One chart per metric and dimension: a row per group with a dot at the rate and a whisker from
the interval's low to its high end, a dashed reference line at the overall rate, and the axis
from 0 % to 100 %. A suppressed group gets its row with the words instead of a dot, so the
chart never draws what the table does not show. The SVG has role="img", a <title> and a
<desc> (the text alternative: every group's figure in words); the data table beside it is the
full accessible equivalent. Every text is escaped here; the result is safe to insert as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Each group's name sits above its line, so the plot keeps the full width on a phone screen.
WIDTH = 440
LEFT = 20  # the plot's 0 %
RIGHT_MARGIN = 24
ROW_HEIGHT = 50
TOP = 26  # room for the axis labels
BOTTOM = 8


@dataclass(frozen=True)
class ChartRow:
    label: str
    rate: float | None  # None: suppressed or nobody to count
    low: float | None
    high: float | None
    note: str = ""  # what to say instead of a dot (e.g. "fewer than 10 — not shown")


def _x(value: float) -> float:
    return LEFT + value * (WIDTH - LEFT - RIGHT_MARGIN)


def _percent(value: float) -> str:
    return f"{100 * value:.0f} %"


def describe(rows: Sequence[ChartRow], overall: float | None, overall_label: str) -> str:
    """The chart's text alternative: the overall, then each group's rate and interval."""
    parts = []
    if overall is not None:
        parts.append(f"{overall_label}: {_percent(overall)}.")
    for row in rows:
        if row.rate is None:
            parts.append(f"{row.label}: {row.note}.")
        elif row.low is not None and row.high is not None:
            parts.append(
                f"{row.label}: {_percent(row.rate)} ({_percent(row.low)} to {_percent(row.high)})."
            )
        else:
            parts.append(f"{row.label}: {_percent(row.rate)}.")
    return " ".join(parts)


def dot_whisker_svg(
    title: str,
    rows: Sequence[ChartRow],
    *,
    overall: float | None,
    overall_label: str,
    chart_id: str,
) -> str:
    """The chart as an <svg> string (scales to its container: viewBox, width 100 %)."""
    height = TOP + ROW_HEIGHT * max(1, len(rows)) + BOTTOM
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="dot-chart" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(describe(rows, overall, overall_label))}</desc>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = _x(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{height - BOTTOM}" '
            f'class="grid" stroke="#d0d4d9" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{TOP - 10}" text-anchor="middle" font-size="13" '
            f'fill="#3b4047">{_percent(tick)}</text>'
        )
    if overall is not None:
        x = _x(overall)
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{height - BOTTOM}" '
            f'class="overall" stroke="#6b2c91" stroke-width="2" stroke-dasharray="5 4"/>'
        )
    for index, row in enumerate(rows):
        top = TOP + ROW_HEIGHT * index
        y = top + 34  # the whisker's line; the name sits above it
        out.append(
            f'<text x="{LEFT - 12}" y="{top + 17:.1f}" font-size="16" font-weight="600" '
            f'fill="#1d2125" stroke="#ffffff" stroke-width="4" paint-order="stroke">'
            f"{escape(row.label)}</text>"
        )
        if row.rate is None:
            out.append(
                f'<text x="{_x(0) + 4:.1f}" y="{y + 5:.1f}" font-size="14" font-style="italic" '
                f'fill="#4a5058">{escape(row.note)}</text>'
            )
            continue
        if row.low is not None and row.high is not None:
            x1, x2 = _x(row.low), _x(row.high)
            out.append(
                f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" '
                f'stroke="#1d2125" stroke-width="2"/>'
            )
            for x in (x1, x2):
                out.append(
                    f'<line x1="{x:.1f}" y1="{y - 6:.1f}" x2="{x:.1f}" y2="{y + 6:.1f}" '
                    f'stroke="#1d2125" stroke-width="2"/>'
                )
        out.append(f'<circle cx="{_x(row.rate):.1f}" cy="{y:.1f}" r="5.5" fill="#005eb8"/>')
    out.append("</svg>")
    return "\n".join(out)
