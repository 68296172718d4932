"""The registry's template tags: the sparkline (`{{ line|sparkline }}` gives the inline SVG with
its text alternative, "PHQ-9 last 6: 18, 16, 15, 12, 10, 9"), a line's score cells, and the
table's lines (`{% registry_lines rows %}`)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


# --- The table's lines -------------------------------------------------------------------------
# The lines are built here rather than in the template: the same markup from Python costs a
# few milliseconds for a page of 50, where the template's tags and filters per cell cost
# 25-35 ms of CPU (docs/workspace/registry.md, Performance). Every piece of text is escaped here.


def _score(value: float) -> str:
    """A score as `floatformat:"-1"` prints it: whole numbers without a decimal point."""
    if float(value).is_integer():
        return str(int(value))
    return str(floatformat(value, -1))


def _labels() -> dict[str, str]:
    """The column labels and fixed words of a line, translated once per page."""
    words = {
        "reason": _("Needs attention"),
        "weeks": _("Weeks in treatment"),
        "response": _("Response"),
        "remission": _("Remission"),
        "overdue": _("Overdue"),
        "missed": _("Missed in a row"),
        "last": _("Last submission"),
        "from": _("from"),
        "worse_phq9": _("Reliably worse on PHQ-9"),
        "worse_gad7": _("Reliably worse on GAD-7"),
        "not_on_track": _("Not on track: review due"),
        "nothing": _("Nothing today"),
        "discharged": _("Discharged"),
    }
    return {key: escape(value) for key, value in words.items()}


def _reason_cell(row: CaseloadRow, words: dict[str, str]) -> str:
    parts = []
    if row.open_alerts:
        alerts = ngettext("%(n)s open alert", "%(n)s open alerts", row.open_alerts) % {
            "n": row.open_alerts
        }
        parts.append(f'<span class="badge">{escape(alerts)}</span>')
    if row.in_care:
        for instrument_id in row.reliably_worse:
            word = words["worse_phq9"] if instrument_id == "phq9" else words["worse_gad7"]
            parts.append(f'<span class="flag">{word}</span>')
        if row.is_not_on_track:
            parts.append(f'<span class="flag">{words["not_on_track"]}</span>')
        if row.overdue:
            parts.append(f'<span class="flag">{words["overdue"]}</span>')
        if not (row.open_alerts or row.reliably_worse or row.is_not_on_track or row.overdue):
            parts.append(f'<span class="muted">{words["nothing"]}</span>')
    else:
        parts.append(f"<span>{words['discharged']}</span>")
    return f'<td data-label="{words["reason"]}" class="reason">{" ".join(parts)}</td>'


def _score_cell(cell: ScoreCell, words: dict[str, str]) -> str:
    if cell.latest is None:
        shown = '<span class="none">–</span>'
    else:
        shown = f'<span class="latest">{_score(cell.latest)}</span>'
        if cell.change is not None and cell.baseline is not None:
            shown += (
                f' <span class="change">({_score(cell.change)} {words["from"]} '
                f"{_score(cell.baseline)})</span>"
            )
    return f'<td data-label="{escape(cell.label)}" class="score">{cell.sparkline} {shown}</td>'


def _missed_cell(row: CaseloadRow, words: dict[str, str]) -> str:
    if not row.missed_in_a_row:
        shown = "0"
    else:
        count = str(row.missed_in_a_row)
        if row.is_missed_flagged:
            count = f'<span class="badge">{count}</span>'
        shown = f"{count} ({escape(row.missed_measure)})"
    return f'<td data-label="{words["missed"]}" class="missed">{shown}</td>'


def _line_html(row: CaseloadRow, words: dict[str, str]) -> str:
    patient = row.patient
    weeks = row.weeks_in_treatment
    if row.is_remission:
        response = words["remission"]
    elif row.is_response:
        response = words["response"]
    else:
        response = "–"
    overdue = ", ".join(escape(label) for label in row.overdue) if row.in_care else ""
    when = row.last_submission_at  # aware (USE_TZ): shown in the current time zone, as |date
    last = date_filter(localtime(when), "j M Y") if when is not None else ""
    cells = [
        f'<tr class="attention-{int(row.attention)}">',
        f'<th scope="row"><a href="{escape(reverse("monitoring:patient", args=[patient.id]))}">'
        f"{escape(patient.display_name)}</a> "
        f'<span class="team">{escape(patient.care_team.name)}</span></th>',
        _reason_cell(row, words),
        *(_score_cell(cell, words) for cell in score_cells(row)),
        f'<td data-label="{words["weeks"]}">'
        f"{weeks if row.in_care and weeks is not None else '–'}</td>",
        f'<td data-label="{words["response"]}">{response}</td>',
        f'<td data-label="{words["overdue"]}">{overdue or "–"}</td>',
        _missed_cell(row, words),
        f'<td data-label="{words["last"]}">{escape(last) if last else "–"}</td>',
        "</tr>",
    ]
    return "\n".join(cells)


@register.simple_tag
def registry_lines(rows: list[CaseloadRow]) -> SafeString:
    """The registry table's body lines: `{% registry_lines rows %}`."""
    words = _labels()
    # Every value above went through escape() or is markup built here from escaped text.
    return mark_safe("\n".join(_line_html(row, words) for row in rows))  # noqa: S308
