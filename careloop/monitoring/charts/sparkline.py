"""A tiny inline SVG trend line for the registry (pure: no Django).

    sparkline_svg([18, 16, 15, 12, 10, 9], maximum=27, label="PHQ-9 last 6: 18, 16, 15, 12, 10, 9")

(the caller words and translates the label; `score_list` gives its numbers: "18, 16, 15").

gives one `<svg role="img">` with a `<title>` carrying the text alternative (screen readers read
the label, not the drawing), a polyline over the scores on a fixed scale from 0 to `maximum`
(so two patients' lines compare at a glance) and a dot on the latest score. Text is escaped, so
the caller may mark the result safe. The drawing uses presentation attributes and
`currentColor`, never a `style` attribute (the Content Security Policy forbids inline styles).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 64
HEIGHT = 20
PAD = 2.0


def score_list(scores: Sequence[float]) -> str:
    """ "18, 16, 15" (whole numbers without a decimal point)."""
    return ", ".join(_number(score) for score in scores)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _coordinate(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def points(scores: Sequence[float], maximum: float) -> list[tuple[float, float]]:
    """Each score as (x, y) in the drawing: oldest at the left, 0 at the bottom, `maximum` at
    the top; a score outside 0..maximum is drawn at the edge."""
    if maximum <= 0:
        raise ValueError("maximum must be above 0")
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / (len(scores) - 1) if len(scores) > 1 else 0.0
    result = []
    for n, score in enumerate(scores):
        clamped = min(max(float(score), 0.0), maximum)
        x = PAD + n * step if len(scores) > 1 else WIDTH / 2
        y = PAD + inner_h * (1 - clamped / maximum)
        result.append((x, y))
    return result


def sparkline_svg(scores: Sequence[float], *, maximum: float, label: str) -> str:
    """The SVG markup, or "" when there are no scores."""
    if not scores:
        return ""
    drawn = points(scores, maximum)
    coords = " ".join(f"{_coordinate(x)},{_coordinate(y)}" for x, y in drawn)
    last_x, last_y = drawn[-1]
    line = (
        f'<polyline points="{coords}" fill="none" stroke="currentColor" stroke-width="1.5" '
        'stroke-linejoin="round" stroke-linecap="round"/>'
        if len(drawn) > 1
        else ""
    )
    return (
        f'<svg class="sparkline" role="img" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
        f"{line}"
        f'<circle cx="{_coordinate(last_x)}" cy="{_coordinate(last_y)}" r="2" fill="currentColor"/>'
        "</svg>"
    )
