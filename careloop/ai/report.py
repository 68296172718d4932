"""The fairness audit as a self-contained HTML report with SVG plots (pure: no Django).

`audit_html(audit)` takes the dict `careloop ai audit` prints (services.evaluation.audit_version)
and returns one HTML page: the gate's decision per dimension in words, the held-out performance,
a reliability diagram, and per dimension a dot-and-whisker plot of each metric with its 95 % CI
and a table (suppressed groups named, never drawn). Each SVG has role="img", a title and a
text alternative; every figure is also in a table with a caption.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from careloop.ai.cards import METRIC_WORDS, OVERALL_WORDS

WIDTH, ROW, LEFT, RIGHT = 640, 26, 170, 20


def _x(value: float) -> float:
    return LEFT + value * (WIDTH - LEFT - RIGHT)


def _axis(height: int) -> str:
    ticks = []
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = _x(tick)
        ticks.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 18}" stroke="#ccc"/>'
            f'<text x="{x:.1f}" y="{height - 4}" font-size="11" text-anchor="middle">'
            f"{tick * 100:.0f} %</text>"
        )
    return "".join(ticks)


def dot_whisker(title: str, rows: Sequence[tuple[str, float, float, float]]) -> str:
    """One row per group: the estimate as a dot and its 95 % CI as a line (0-100 %)."""
    height = ROW * len(rows) + 24
    key = hashlib.sha256(title.encode()).hexdigest()[:10]
    parts = [
        f'<svg role="img" aria-labelledby="t-{key}" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t-{key}">{escape(title)}</title>',
        _axis(height),
    ]
    for i, (group, value, low, high) in enumerate(rows):
        y = ROW * i + ROW / 2
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end">'
            f"{escape(group)}</text>"
            f'<line x1="{_x(low):.1f}" y1="{y:.1f}" x2="{_x(high):.1f}" y2="{y:.1f}" '
            'stroke="#1d4e89" stroke-width="2"/>'
            f'<circle cx="{_x(value):.1f}" cy="{y:.1f}" r="4" fill="#1d4e89"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def reliability_svg(calibration: Sequence[Mapping[str, Any]]) -> str:
    size, pad = 300, 36
    inner = size - 2 * pad

    def at(p: float, q: float) -> tuple[float, float]:
        return pad + p * inner, size - pad - q * inner

    x0, y0 = at(0, 0)
    x1, y1 = at(1, 1)
    parts = [
        f'<svg role="img" aria-labelledby="rel-t" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg">',
        '<title id="rel-t">Reliability diagram: observed share against mean predicted '
        "probability per bin; the diagonal is perfect calibration</title>",
        f'<rect x="{pad}" y="{pad}" width="{inner}" height="{inner}" fill="none" stroke="#999"/>',
        f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="#999" stroke-dasharray="4"/>',
        f'<text x="{size / 2}" y="{size - 6}" font-size="11" text-anchor="middle">'
        "mean predicted</text>",
        f'<text x="12" y="{size / 2}" font-size="11" transform="rotate(-90 12 {size / 2})" '
        'text-anchor="middle">observed</text>',
    ]
    for row in calibration:
        if row.get("n") and row.get("mean_predicted") is not None:
            cx, cy = at(float(row["mean_predicted"]), float(row["observed"]))
            radius = 3 + min(8.0, float(row["n"]) ** 0.5 / 3)
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="#c0392b" '
                'fill-opacity="0.7"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{float(value) * 100:.1f} %"


def _cell(result: Mapping[str, Any]) -> str:
    if result.get("suppressed"):
        return f"not shown ({escape(str(result['suppressed']))})"
    if result.get("value") is None:
        return "–"
    return f"{_pct(result['value'])} ({_pct(result['ci_low'])}–{_pct(result['ci_high'])})"


def _dimension(dimension: str, groups: Mapping[str, Any], gate: Mapping[str, Any]) -> str:
    name = dimension.replace("_", " ")
    out = [f"<section><h2>By {escape(name)}</h2>"]
    out.append(f"<p><strong>Gate:</strong> {escape(str(gate.get('explanation', '')))}</p>")
    for metric, words in METRIC_WORDS.items():
        rows = [
            (group, r[metric]["value"], r[metric]["ci_low"], r[metric]["ci_high"])
            for group, r in sorted(groups.items())
            if not r[metric].get("suppressed") and r[metric].get("value") is not None
        ]
        if rows:
            out.append(f"<h3>{escape(words)}</h3>")
            out.append(dot_whisker(f"{words} by {name}, with 95 % confidence intervals", rows))
    out.append(f"<table><caption>Every figure by {escape(name)} (95 % CI)</caption><thead><tr>")
    out.append('<th scope="col">Group</th><th scope="col">n</th>')
    out += [f'<th scope="col">{escape(words)}</th>' for words in METRIC_WORDS.values()]
    out.append("</tr></thead><tbody>")
    for group, figures in sorted(groups.items()):
        cells = "".join(f"<td>{_cell(figures.get(m, {}))}</td>" for m in METRIC_WORDS)
        out.append(f'<tr><th scope="row">{escape(group)}</th><td>{figures["n"]}</td>{cells}</tr>')
    out.append("</tbody></table></section>")
    return "".join(out)


def audit_html(audit: Mapping[str, Any]) -> str:
    model = audit["model"]
    blocked = audit["blocked"]
    metrics = audit.get("metrics") or {}
    title = f"Fairness audit: {model['kind']} version {model['version']}"
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title><style>body{{font-family:sans-serif;max-width:60rem;"
        "margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;margin:1rem 0}"
        "th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}"
        "caption{font-weight:bold;text-align:left}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p><strong>{'BLOCKED' if blocked else 'Passed'}</strong>: "
        f"{audit['n_held_out']} held-out predictions; the gate blocks when "
        f"{audit['policy']['metric']} "
        f"differs by more than {audit['policy']['max_gap'] * 100:g} points between two groups "
        "whose 95 % CIs do not overlap.</p>",
        "<table><caption>Held-out performance</caption><tbody>",
    ]
    for key, words in OVERALL_WORDS.items():
        if key in metrics and metrics[key] is not None:
            value = metrics[key]
            if key.startswith("n_"):
                shown = f"{value:,}"
            elif key.startswith("prevalence"):
                shown = _pct(value)
            else:
                shown = f"{float(value):.3f}"
            out.append(f'<tr><th scope="row">{escape(words)}</th><td>{shown}</td></tr>')
    out.append("</tbody></table>")
    calibration = audit.get("calibration") or []
    if calibration:
        out.append("<section><h2>Calibration</h2>")
        out.append(reliability_svg(calibration))
        out.append(
            "<table><caption>Reliability table (held-out)</caption><thead><tr>"
            '<th scope="col">Predicted</th><th scope="col">n</th>'
            '<th scope="col">Mean predicted</th><th scope="col">Observed</th></tr></thead><tbody>'
        )
        for row in calibration:
            out.append(
                f'<tr><th scope="row">{row["low"] * 100:.0f}–{row["high"] * 100:.0f} %</th>'
                f"<td>{row['n']}</td><td>{_pct(row.get('mean_predicted'))}</td>"
                f"<td>{_pct(row.get('observed'))}</td></tr>"
            )
        out.append("</tbody></table></section>")
    for dimension, groups in audit["per_group"].items():
        out.append(_dimension(dimension, groups, audit["gate"].get(dimension, {})))
    out.append("</body></html>")
    return "\n".join(out)
