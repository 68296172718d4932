"""The charts of the clinician's patient page (issue #13): the rows the page already read
(assessments, alerts), the patient's episodes, the plan changes and the service's
expected-recovery bands, turned into the plain values `careloop.monitoring.charts` draws.

Queries: the episodes (one), the plan changes (one), and the band model (cached for the day;
fitted on a miss by the outcome selectors). Nothing here queries per assessment or per point.
Words are translated here; the pure chart modules only place and escape them.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from careloop.assessments import meaning
from careloop.audit.selectors import events_for_patient
from careloop.audit.types import AuditAction
from careloop.care.selectors import episodes_of, step_markers_of
from careloop.instruments.library import UnknownInstrument, get_instrument
from careloop.monitoring.charts import heatmap, legend, trajectory
from careloop.monitoring.charts.measures import PREFERRED_ORDER, MeasureScale, scale_for
from careloop.monitoring.charts.types import (
    ChartWords,
    ExpectedRecovery,
    ExpectedWeek,
    HeatmapColumn,
    HeatmapInput,
    HeatmapItem,
    Marker,
    ReliableChangeBand,
    ScorePoint,
    Threshold,
    TrajectoryInput,
)
from careloop.monitoring.outcome_selectors import band_model_for_service, local_day
from careloop.monitoring.outcomes.bands import BandBasis, BandStatus, expected_band
from careloop.monitoring.outcomes.change import ChangeDirection, nhs_tt_change
from careloop.monitoring.outcomes.episode import latest_band_position
from careloop.monitoring.outcomes.nhs_tt import DatedScore
from careloop.monitoring.selectors import patient_time_zone

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment
    from careloop.care.models import Patient, TreatmentEpisode
    from careloop.safety.models import Alert

HEATMAP_COLUMNS = 20  # the latest administrations shown on an item heatmap
PLAN_CHANGES_SHOWN = 50


@dataclass(frozen=True)
class TableRow:
    on: date
    week: str
    score: str
    band: str
    change: str


@dataclass(frozen=True)
class HeatmapTable:
    days: list[str]
    rows: list[tuple[str, bool, list[str]]]  # item label, is risk item, cell values


@dataclass
class MeasureChart:
    instrument_id: str
    label: str
    svg: SafeString
    legend: SafeString
    summary: str
    rows: list[TableRow]
    notes: list[str] = field(default_factory=list)
    heatmap_svg: SafeString | None = None
    heatmap_summary: str = ""
    heatmap_table: HeatmapTable | None = None
    heatmap_key: SafeString | None = None


@dataclass
class PatientCharts:
    scope: str
    charts: list[MeasureChart]
    markers_note: str = ""


def _words() -> ChartWords:
    return ChartWords(
        x_axis=_("Weeks in treatment"),
        y_axis=_("Score"),
        week=_("Week"),
        unverified=_("UNVERIFIED"),
        marker_titles={
            "alert": _("Alert raised"),
            "plan": _("Measurement plan changed"),
            "step": _("Stepped-care step changed (step names UNVERIFIED)"),
        },
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _day(day: date) -> str:
    return date_format(day, "j M Y")


def _short_day(day: date) -> str:
    return date_format(day, "j M")


def _scored(assessments: Iterable[Assessment]) -> list[Assessment]:
    return [a for a in assessments if a.score_total is not None and a.status != "incomplete"]


def alert_markers(
    alerts: Sequence[tuple[Alert, str]], time_zone: str
) -> list[tuple[str | None, Marker]]:
    """(instrument of the alert's questionnaire or None for any chart, marker)."""
    result = []
    for alert, reason in alerts:
        day = local_day(alert.raised_at, time_zone)
        instrument = alert.assessment.instrument_id if alert.assessment is not None else None
        label = f"{alert.get_severity_display()}: {reason}"
        result.append((instrument, Marker(day, "alert", label, _day(day))))
    return result


def _plan_change_label(detail: dict[str, Any]) -> str:
    before: dict[str, Any] = detail.get("before") or {}
    after: dict[str, Any] = detail.get("after") or {}
    parts = []
    if not after.get("active", True):
        parts.append(_("paused"))
    every = after.get("every_days")
    if before.get("every_days") not in (None, every):
        parts.append(
            _("every %(before)s → %(after)s days")
            % {"before": before.get("every_days"), "after": every}
        )
    elif every is not None:
        parts.append(_("every %(days)s days") % {"days": every})
    return ", ".join(str(p) for p in parts)


def plan_markers(patient: Patient, time_zone: str) -> list[tuple[str | None, Marker]]:
    """The measurement plan's changes, from the audit trail (one query, newest 50)."""
    events = events_for_patient(service_id=patient.service_id, patient_id=patient.id).filter(
        action=AuditAction.MEASUREMENT_PLAN_ITEM_CHANGED
    )[:PLAN_CHANGES_SHOWN]
    result = []
    for event in events:
        detail = event.detail if isinstance(event.detail, dict) else {}
        measure = str(detail.get("measure", ""))
        day = local_day(event.occurred_at, time_zone)
        name = (
            meaning.instrument_short_name(measure) if measure != "checkin" else _("Mood check-in")
        )
        label = f"{name}: {_plan_change_label(detail)}".rstrip(": ")
        result.append((measure or None, Marker(day, "plan", label, _day(day))))
    return result


def step_markers(patient: Patient, episode_id: uuid.UUID | None) -> list[tuple[str | None, Marker]]:
    """Stepped-care level changes (care.selectors, one query) of the charted episode, on every
    chart: "Stepped care: low intensity → high intensity"."""
    result: list[tuple[str | None, Marker]] = []
    for step in step_markers_of(patient):
        if episode_id is not None and step.episode_id != episode_id:
            continue
        if step.from_step is None:
            label = _("Stepped care: started at %(step)s") % {"step": step.to_step.label}
        else:
            label = _("Stepped care: %(before)s → %(after)s") % {
                "before": step.from_step.label,
                "after": step.to_step.label,
            }
        result.append((None, Marker(step.changed_on, "step", label, _day(step.changed_on))))
    return result


def _expected(
    patient: Patient, points: Sequence[ScorePoint], last_week: int
) -> tuple[ExpectedRecovery | None, str]:
    """PHQ-9's expected-recovery band from the patient's first PHQ-9 in this episode, and a
    sentence on where the latest score lies."""
    baseline = points[0]
    model = band_model_for_service(patient.service_id)
    weeks = []
    service_band = reference = False
    for week in range(0, last_week + 1):
        band = expected_band(model, baseline.score, week)
        if band.basis == BandBasis.NONE:
            continue
        if band.basis == BandBasis.PUBLISHED_REFERENCE:
            reference = True
            weeks.append(ExpectedWeek(week, alert_at_or_above=band.alert_at_or_above))
        else:
            service_band = True
            p = band.percentiles
            weeks.append(ExpectedWeek(week, p[10], p[25], p[50], p[75], p[90]))
    position = latest_band_position(model, [DatedScore(p.on, p.score) for p in points])
    sentence = ""
    if position is not None and position.status != BandStatus.NOT_ASSESSED:
        sentence = {
            BandStatus.ON_TRACK: _("The latest PHQ-9 is on track against the expected recovery."),
            BandStatus.WARNING: _(
                "The latest PHQ-9 is above the 75th percentile of expected recovery: "
                "not on track (warning)."
            ),
            BandStatus.ALERT: _(
                "The latest PHQ-9 is not on track: above the expected-recovery limit (alert)."
            ),
        }[position.status]
        sentence += " " + _("Basis: %(label)s.") % {"label": position.band.label}
    if not weeks:
        return None, sentence
    if service_band:
        label = _(
            "Expected recovery for a similar baseline: this service's closed episodes, "
            "10th–90th and 25th–75th percentiles, median dashed"
        )
        if reference:
            label += "; " + _(
                "published non-response threshold where the service has too little data"
            )
    else:
        label = _(
            "Published non-response threshold (not a service band): PHQ-9 ≥ 17 at week 4, "
            "≥ 13 at week 9, ≥ 9 at week 14"
        )
    return (
        ExpectedRecovery(baseline.on, tuple(weeks), label, unverified=reference),
        sentence,
    )


def _summary(scale: MeasureScale, label: str, points: Sequence[ScorePoint]) -> str:
    first, last = points[0], points[-1]
    if len(points) == 1:
        return _("%(measure)s: one score so far, %(score)s (%(band)s) on %(day)s.") % {
            "measure": label,
            "score": _number(first.score),
            "band": first.band or _("no band"),
            "day": _day(first.on),
        }
    weeks = round((last.on - first.on).days / 7)
    values = {
        "measure": label,
        "first": _number(first.score),
        "first_band": first.band or _("no band"),
        "last": _number(last.score),
        "last_band": last.band or _("no band"),
        "weeks": weeks,
    }
    if last.score < first.score:
        text = ngettext(
            "%(measure)s fell from %(first)s (%(first_band)s) "
            "to %(last)s (%(last_band)s) over %(weeks)s week",
            "%(measure)s fell from %(first)s (%(first_band)s) "
            "to %(last)s (%(last_band)s) over %(weeks)s weeks",
            weeks,
        )
    elif last.score > first.score:
        text = ngettext(
            "%(measure)s rose from %(first)s (%(first_band)s) "
            "to %(last)s (%(last_band)s) over %(weeks)s week",
            "%(measure)s rose from %(first)s (%(first_band)s) "
            "to %(last)s (%(last_band)s) over %(weeks)s weeks",
            weeks,
        )
    else:
        text = ngettext(
            "%(measure)s stayed at %(last)s (%(last_band)s) over %(weeks)s week",
            "%(measure)s stayed at %(last)s (%(last_band)s) over %(weeks)s weeks",
            weeks,
        )
    text = text % values
    if scale.reliable_change_points is None:
        return text + "; " + _("no reliable-change criterion is set for this measure.")
    change = nhs_tt_change(scale.instrument_id, first.score, last.score)
    verdict = {
        ChangeDirection.RELIABLE_IMPROVEMENT: _("this is a reliable improvement"),
        ChangeDirection.RELIABLE_DETERIORATION: _("this is a reliable deterioration"),
        ChangeDirection.NO_RELIABLE_CHANGE: _("this is not a reliable change"),
    }[change.direction]
    criterion = _("criterion %(points)s points, UNVERIFIED") % {
        "points": _number(scale.reliable_change_points)
    }
    return f"{text}; {verdict} ({criterion})."


def _points(scale: MeasureScale, rows: Sequence[Assessment], time_zone: str) -> list[ScorePoint]:
    points = []
    for a in rows:
        assert a.score_total is not None
        day = local_day(a.completed_at, time_zone)
        points.append(ScorePoint(day, a.score_total, a.band, a.prorated, _day(day)))
    return points


def _item_scores(
    instrument_id: str, answers: Sequence[object]
) -> tuple[list[str], list[int | None]] | None:
    try:
        definition = get_instrument(instrument_id)
    except UnknownInstrument:
        return None
    labels, scores = [], []
    for position, item in enumerate(definition.items):
        if not item.scored:
            continue
        answer = answers[position] if position < len(answers) else None
        by_value = {option.value: option.score for option in item.options}
        labels.append(item.text)
        scores.append(by_value.get(answer) if isinstance(answer, int) else None)
    return labels, scores


def _max_item_score(instrument_id: str) -> int:
    try:
        definition = get_instrument(instrument_id)
    except UnknownInstrument:
        return 3
    return max(
        (o.score or 0 for item in definition.items if item.scored for o in item.options), default=3
    )


def _heatmap(
    chart_id: str, scale: MeasureScale, label: str, rows: Sequence[Assessment], time_zone: str
) -> tuple[SafeString | None, str, HeatmapTable | None]:
    shown = [a for a in rows if a.items_available and a.answers][-HEATMAP_COLUMNS:]
    columns: list[tuple[Assessment, list[int | None]]] = []
    labels: list[str] = []
    for a in shown:
        scored = _item_scores(a.instrument_id, a.answers)
        if scored is None:
            return None, "", None
        labels, scores = scored
        columns.append((a, scores))
    if not columns or not labels:
        return None, "", None
    max_item = _max_item_score(scale.instrument_id)
    items = tuple(
        HeatmapItem(str(n), text, risk=n in scale.risk_items) for n, text in enumerate(labels, 1)
    )
    days = [local_day(a.completed_at, time_zone) for a, _ in columns]
    chart = HeatmapInput(
        chart_id=chart_id,
        title=_("%(measure)s item scores by date") % {"measure": label},
        description=_(
            "Rows are the questions, columns the answered questionnaires, oldest on the left; "
            "each cell shows the item score from 0 to %(max)s."
        )
        % {"max": max_item},
        items=items,
        columns=tuple(
            HeatmapColumn(day, tuple(scores), _short_day(day))
            for day, (_, scores) in zip(days, columns, strict=True)
        ),
        max_item_score=max_item,
        not_answered=_("not answered"),
        risk_note=_("risk item"),
    )
    latest = columns[-1][1]
    top = sorted(
        ((score, n) for n, score in enumerate(latest, 1) if score),
        key=lambda pair: (-pair[0], pair[1]),
    )[:3]
    if top:
        summary = _("Highest items at the latest questionnaire: %(items)s.") % {
            "items": ", ".join(f"{n}. {_first_words(labels[n - 1])} ({s})" for s, n in top)
        }
    else:
        summary = _("Every item scored 0 at the latest questionnaire.")
    for risk in scale.risk_items:
        if risk <= len(labels):
            positive = sum(1 for _, scores in columns if (scores[risk - 1] or 0) > 0)
            summary += " " + _(
                "Item %(n)s (%(item)s): %(latest)s at the latest; "
                "above 0 in %(positive)s of %(total)s."
            ) % {
                "n": risk,
                "item": _first_words(labels[risk - 1]),
                "latest": "–" if latest[risk - 1] is None else latest[risk - 1],
                "positive": positive,
                "total": len(columns),
            }
    table = HeatmapTable(
        days=[_day(day) for day in days],
        rows=[
            (
                f"{n}. {text}",
                n in scale.risk_items,
                ["–" if scores[n - 1] is None else str(scores[n - 1]) for _, scores in columns],
            )
            for n, text in enumerate(labels, 1)
        ],
    )
    return mark_safe(heatmap.render(chart)), summary, table  # noqa: S308 - built and escaped by charts


def _heatmap_key(scale: MeasureScale) -> SafeString:
    key = heatmap.render_key(
        _max_item_score(scale.instrument_id),
        scores_label=_("Item score:"),
        risk_label=_("risk item (red outline; a thick red cell is a score above 0)"),
    )
    return mark_safe(key)  # noqa: S308 - built and escaped by charts


def _first_words(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _by_instrument(rows: Iterable[Assessment]) -> dict[str, list[Assessment]]:
    grouped: dict[str, list[Assessment]] = defaultdict(list)
    for a in sorted(rows, key=lambda a: a.completed_at):
        grouped[a.instrument_id].append(a)
    order = {instrument: n for n, instrument in enumerate(PREFERRED_ORDER)}
    return dict(sorted(grouped.items(), key=lambda pair: (order.get(pair[0], len(order)), pair[0])))


@dataclass(frozen=True)
class _Scope:
    rows: list[Assessment]
    words: str
    origin_floor: date | None  # the episode's first day, when the rows are an episode's
    ended_on: date | None
    episode_id: uuid.UUID | None = None


def _scope(scored: list[Assessment], episode: TreatmentEpisode | None) -> _Scope:
    """The rows to chart: the most recent episode's, else every scored questionnaire."""
    in_episode = [a for a in scored if episode is not None and a.episode_id == episode.id]
    if episode is None or not in_episode:
        return _Scope(
            scored, _("All questionnaires (no treatment episode holds them)."), None, None
        )
    if episode.ended_on is None:
        words = _("Current treatment episode, started %(day)s.") % {"day": _day(episode.started_on)}
    else:
        words = _("Most recent treatment episode, %(start)s to %(end)s (ended).") % {
            "start": _day(episode.started_on),
            "end": _day(episode.ended_on),
        }
    outside = len(scored) - len(in_episode)
    if outside:
        words += " " + ngettext(
            "%(count)s questionnaire outside this episode is listed in the history below.",
            "%(count)s questionnaires outside this episode are listed in the history below.",
            outside,
        ) % {"count": outside}
    return _Scope(in_episode, words, episode.started_on, episode.ended_on, episode.id)


def charts_for(
    patient: Patient,
    *,
    assessments: Sequence[Assessment],
    alerts: Sequence[tuple[Alert, str]],
    extra_markers: Sequence[Marker] = (),
) -> PatientCharts:
    """One trajectory chart (and item heatmap) per scored measure of the most recent episode.

    `assessments` and `alerts` are what the page already read through the selectors (so no
    query is repeated); `extra_markers` are dated events shown on every chart: stepped-care
    step changes are one more list of `Marker(day, "step", label)`.
    """
    time_zone = patient_time_zone(patient)
    episodes = episodes_of(patient)
    scope = _scope(_scored(assessments), episodes[-1] if episodes else None)
    if not scope.rows:
        return PatientCharts(scope=scope.words, charts=[])
    origin = min(local_day(a.completed_at, time_zone) for a in scope.rows)
    if scope.origin_floor is not None:
        origin = min(origin, scope.origin_floor)
    markers = alert_markers(alerts, time_zone) + plan_markers(patient, time_zone)
    markers += step_markers(patient, scope.episode_id)
    markers += [(None, m) for m in extra_markers]
    if scope.ended_on is not None:  # what followed an ended episode is not part of its story
        markers = [(instrument, m) for instrument, m in markers if m.on <= scope.ended_on]
    context = _ChartContext(patient, origin, time_zone, _words())
    charts = [
        _measure_chart(
            context,
            instrument_id,
            rows,
            tuple(m for instrument, m in markers if instrument in (None, instrument_id)),
        )
        for instrument_id, rows in _by_instrument(scope.rows).items()
    ]
    return PatientCharts(scope=scope.words, charts=charts)


@dataclass(frozen=True)
class _ChartContext:
    patient: Patient
    origin: date
    time_zone: str
    words: ChartWords


def _thresholds(scale: MeasureScale) -> tuple[Threshold, ...]:
    if scale.cutoff is None:
        return ()
    label = _("%(label)s: %(value)s") % {
        "label": scale.cutoff.label,
        "value": _number(scale.cutoff.value),
    }
    return (Threshold(scale.cutoff.value, label, scale.cutoff.unverified),)


def _reliable_band(scale: MeasureScale, baseline: float) -> ReliableChangeBand | None:
    if scale.reliable_change_points is None:
        return None
    label = _("No reliable change: within %(points)s points of the first score (%(first)s)") % {
        "points": _number(scale.reliable_change_points),
        "first": _number(baseline),
    }
    return ReliableChangeBand(
        baseline, scale.reliable_change_points, label, unverified=scale.reliable_change_unverified
    )


def _table(points: Sequence[ScorePoint], origin: date) -> list[TableRow]:
    baseline = points[0].score
    return [
        TableRow(
            on=p.on,
            week=_number(round(trajectory.weeks_between(origin, p.on), 1)),
            score=_number(p.score) + (" " + _("(prorated)") if p.prorated else ""),
            band=p.band or "–",
            change="–" if n == 0 else f"{p.score - baseline:+.0f}",
        )
        for n, p in enumerate(points)
    ]


def scale_for_rows(scale: MeasureScale, rows: Sequence[Assessment]) -> MeasureScale:
    """The measure's scale, with its bands marked UNVERIFIED when these answers leave them so:
    WSAS with work not applicable (item 1) is scored 0–32, for which the Mundt bands are not
    verified (the scorer says so too)."""
    if scale.instrument_id == "wsas" and any(a.answers and a.answers[0] is None for a in rows):
        return replace(scale, bands=tuple(replace(b, unverified=True) for b in scale.bands))
    return scale


def _measure_chart(
    context: _ChartContext,
    instrument_id: str,
    rows: Sequence[Assessment],
    markers: tuple[Marker, ...],
) -> MeasureChart:
    label = meaning.instrument_short_name(instrument_id)
    scale = scale_for(instrument_id, label, max(a.score_total or 0 for a in rows))
    points = _points(scale, rows, context.time_zone)
    scale = scale_for_rows(scale, rows)
    expected, band_sentence = None, ""
    if instrument_id == "phq9" and points[0].score >= 10:
        last_day = max([points[-1].on, *(m.on for m in markers)])
        last_week = math.ceil((last_day - points[0].on).days / 7) + 1
        expected, band_sentence = _expected(context.patient, points, last_week)
    summary = _summary(scale, label, points)
    chart_input = TrajectoryInput(
        chart_id=f"chart-{instrument_id}",
        title=_("%(measure)s score over weeks in treatment") % {"measure": label},
        description=summary,
        origin=context.origin,
        min_score=scale.min_score,
        max_score=max(scale.max_score, max(p.score for p in points)),
        points=tuple(points),
        bands=scale.bands,
        thresholds=_thresholds(scale),
        reliable_change=_reliable_band(scale, points[0].score),
        expected=expected,
        markers=markers,
        words=context.words,
    )
    notes = [band_sentence] if band_sentence else []
    if any(b.unverified for b in scale.bands):
        notes.append(
            _("* The severity bands of this measure are UNVERIFIED in the clinical reference.")
        )
    heat_svg, heat_summary, heat_table = _heatmap(
        f"heatmap-{instrument_id}", scale, label, rows, context.time_zone
    )
    legend_markup = legend.render_legend(
        chart_input,
        score_label=_("%(measure)s score") % {"measure": label},
        prorated_label=_("Prorated score (items missing)"),
    )
    return MeasureChart(
        instrument_id=instrument_id,
        label=label,
        svg=mark_safe(trajectory.render(chart_input)),  # noqa: S308 - built and escaped by charts
        legend=mark_safe(legend_markup),  # noqa: S308 - built and escaped by charts
        summary=summary,
        rows=_table(points, context.origin),
        notes=notes,
        heatmap_svg=heat_svg,
        heatmap_summary=heat_summary,
        heatmap_table=heat_table,
        heatmap_key=_heatmap_key(scale) if heat_svg else None,
    )
