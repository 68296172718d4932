"""The registry's sparkline as a template filter: `{{ line|sparkline }}` gives the inline SVG with
its text alternative ("PHQ-9 last 6: 18, 16, 15, 12, 10, 9")."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from careloop.monitoring.charts.sparkline import score_list, sparkline_svg
from careloop.monitoring.plain_names import highest_total, measure_name
from careloop.monitoring.selectors.caseload import CaseloadRow, Sparkline

register = template.Library()


def sparkline_text(line: Sparkline) -> str:
    """ "PHQ-9 last 6: 18, 16, 15, 12, 10, 9" (oldest first)."""
    return _("%(measure)s last %(count)d: %(scores)s") % {
        "measure": measure_name(line.instrument_id),
        "count": len(line.scores),
        "scores": score_list(line.scores),
    }


@register.filter
def sparkline(line: Sparkline) -> SafeString:
    maximum = highest_total(line.instrument_id) or max(line.scores, default=1) or 1
    # sparkline_svg escapes every piece of text it is given.
    return mark_safe(sparkline_svg(line.scores, maximum=maximum, label=sparkline_text(line)))  # noqa: S308


@register.filter
def sparkline_for(lines: tuple[Sparkline, ...], instrument_id: str) -> Sparkline | None:
    """The line's sparkline of one instrument, if it has scores on it."""
    return next((line for line in lines if line.instrument_id == instrument_id), None)


@dataclass(frozen=True)
class ScoreCell:
    """One registry score column of one line, ready to print."""

    label: str
    sparkline: SafeString
    baseline: float | None
    latest: float | None
    change: float | None


@register.simple_tag
def score_cells(row: CaseloadRow) -> list[ScoreCell]:
    """The PHQ-9 and GAD-7 cells of a line: `{% score_cells row as cells %}`."""
    lines = {line.instrument_id: line for line in row.sparklines}
    cells = []
    for instrument_id, baseline, latest, change in row.score_columns:
        line = lines.get(instrument_id)
        cells.append(
            ScoreCell(
                label=measure_name(instrument_id),
                sparkline=sparkline(line) if line is not None else SafeString(""),
                baseline=baseline,
                latest=latest,
                change=change,
            )
        )
    return cells
