"""My progress (issue #14 item 5): the signed-in patient's own questionnaire scores over time,
one simple chart and table per questionnaire, with plain words on what changed and how sure
we can be.

The reader is the patient: their record comes from `care.selectors.own_patient_record`, their
scores from `assessments.selectors.assessments_of` (empty when the questionnaire stream is not
visible), and the read is audited like "My results" (`record_results_viewed`). Anyone else
(a clinician, another role, a patient without a record) gets 404.

The chart is the clinician page's trajectory chart (`monitoring/charts/`, pure) drawn with less:
the severity bands only where the clinical spec does not mark them UNVERIFIED, no caseness line,
no reliable-change band, no markers, and plain words. The change sentence uses the
reliable-change criterion of `instruments.scoring.reliable_change` ("may be chance"), hedged,
because those criteria come from secondary sources (never shown to patients as fact).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from careloop.accounts.selectors import request_user
from careloop.assessments import meaning
from careloop.assessments.selectors import assessments_of
from careloop.assessments.services import record_results_viewed
from careloop.care.selectors import own_patient_record
from careloop.core.errors import NotFound
from careloop.instruments.scoring.reliable_change import RELIABLE_CHANGE_POINTS
from careloop.monitoring.charts import trajectory
from careloop.monitoring.charts.measures import PREFERRED_ORDER, scale_for
from careloop.monitoring.charts.types import ChartWords, ScorePoint, SeverityBand, TrajectoryInput
from careloop.monitoring.outcome_selectors import local_day
from careloop.monitoring.selectors import patient_time_zone

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment

SCORES_READ = 500  # the newest scored questionnaires charted (years of weekly answers)


@dataclass(frozen=True)
class ProgressRow:
    on: str
    score: str
    band: str
    change: str


@dataclass(frozen=True)
class Progress:
    instrument_id: str
    name: str  # "PHQ-9"
    title: str  # the questionnaire's full name
    svg: SafeString | None  # None with a single score: nothing to draw a line through
    sentences: list[str]
    rows: list[ProgressRow]  # newest first


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _points(rows: Sequence[Assessment], time_zone: str) -> list[ScorePoint]:
    points = []
    for row in sorted(rows, key=lambda a: a.completed_at):
        assert row.score_total is not None  # _scored() kept only these
        day = local_day(row.completed_at, time_zone)
        points.append(
            ScorePoint(
                on=day,
                score=row.score_total,
                band=meaning.band_in_words(row.band),
                prorated=row.prorated,
                shown_on=date_format(day, "j M Y"),
            )
        )
    return points


def _better(instrument_id: str, higher_is_better: bool, known: bool) -> str:
    if not known:
        return ""
    if higher_is_better:
        return _("On this questionnaire, a higher score is better.")
    return _("On this questionnaire, a lower score is better.")


def change_sentences(
    instrument_id: str, points: Sequence[ScorePoint], *, higher_is_better: bool, known: bool
) -> list[str]:
    """What changed from the first to the latest score, and how sure we can be, in plain words."""
    first, last = points[0], points[-1]
    sentences: list[str] = []
    if len(points) == 1:
        sentences.append(
            _("You answered it once, on %(day)s. Your score was %(score)s.")
            % {"day": first.shown_on, "score": _number(first.score)}
        )
        sentences.append(_("When you answer it again, you will see here how it changes."))
        better = _better(instrument_id, higher_is_better, known)
        return [*sentences, better] if better else sentences
    change = last.score - first.score
    values = {
        "first": _number(first.score),
        "last": _number(last.score),
        "first_day": first.shown_on,
        "last_day": last.shown_on,
    }
    if change < 0:
        sentences.append(
            _("Your score went down from %(first)s on %(first_day)s to %(last)s on %(last_day)s.")
            % values
        )
    elif change > 0:
        sentences.append(
            _("Your score went up from %(first)s on %(first_day)s to %(last)s on %(last_day)s.")
            % values
        )
    else:
        sentences.append(
            _("Your score was %(first)s on %(first_day)s and %(last)s on %(last_day)s.") % values
        )
    better = _better(instrument_id, higher_is_better, known)
    if better:
        sentences.append(better)
    criterion = RELIABLE_CHANGE_POINTS.get(instrument_id)
    size = abs(change)
    if criterion is None:
        sentences.append(
            _(
                "Scores go up and down a bit by chance. We have no set rule for how big a change "
                "on this questionnaire must be to be more than chance. Ask your care team."
            )
        )
    elif size < criterion:
        sentences.append(
            ngettext(
                "On this questionnaire, a change of less than %(points)s point may be chance.",
                "On this questionnaire, a change of less than %(points)s points may be chance.",
                criterion,
            )
            % {"points": criterion}
        )
    else:
        sentences.append(
            _(
                "Your score changed by %(size)s points. On this questionnaire, a change of "
                "%(points)s points or more is less likely to be just chance."
            )
            % {"size": _number(size), "points": criterion}
        )
    return sentences


def _patient_bands(instrument_id: str, label: str, max_score: float) -> tuple[SeverityBand, ...]:
    scale = scale_for(instrument_id, label, max_score)
    if any(band.unverified for band in scale.bands):
        return ()  # bands the clinical spec has not checked are not shown to patients as fact
    return tuple(
        SeverityBand(band.low, band.high, meaning.band_in_words(band.label.rsplit(" ", 1)[0]))
        for band in scale.bands
    )


def progress_for(rows: Sequence[Assessment], time_zone: str) -> list[Progress]:
    """One Progress per questionnaire with a score, in the clinician page's order."""
    by_instrument: dict[str, list[Assessment]] = defaultdict(list)
    for row in rows:
        if row.score_total is not None and row.status != "incomplete":
            by_instrument[row.instrument_id].append(row)

    def order(instrument_id: str) -> tuple[int, str]:
        known = instrument_id in PREFERRED_ORDER
        return (
            PREFERRED_ORDER.index(instrument_id) if known else len(PREFERRED_ORDER),
            instrument_id,
        )

    result = []
    for instrument_id in sorted(by_instrument, key=order):
        points = _points(by_instrument[instrument_id], time_zone)
        name = meaning.instrument_short_name(instrument_id)
        scale = scale_for(instrument_id, name, max(p.score for p in points))
        known = bool(scale.bands) or scale.cutoff is not None
        sentences = change_sentences(
            instrument_id, points, higher_is_better=scale.higher_is_better, known=known
        )
        svg = None
        if len(points) > 1:
            svg = mark_safe(  # noqa: S308 - built by monitoring.charts, which escapes every text
                trajectory.render(
                    TrajectoryInput(
                        chart_id=f"progress-{instrument_id}",
                        title=_("Your %(name)s scores over time") % {"name": name},
                        description=" ".join(sentences),
                        origin=points[0].on,
                        min_score=scale.min_score,
                        max_score=scale.max_score,
                        points=tuple(points),
                        bands=_patient_bands(instrument_id, name, scale.max_score),
                        words=ChartWords(
                            x_axis=_("Weeks since your first answer"),
                            y_axis=_("Score"),
                            week=_("Week"),
                            unverified="",
                        ),
                    )
                )
            )
        first = points[0].score
        rows_out = [
            ProgressRow(
                on=point.shown_on,
                score=_number(point.score) + (" " + _("(estimated)") if point.prorated else ""),
                band=point.band or "–",
                change=_signed(point.score - first) if index else "–",
            )
            for index, point in enumerate(points)
        ]
        result.append(
            Progress(
                instrument_id=instrument_id,
                name=name,
                title=meaning.instrument_title(instrument_id),
                svg=svg,
                sentences=sentences,
                rows=list(reversed(rows_out)),
            )
        )
    return result


def _signed(value: float) -> str:
    if value > 0:
        return f"+{_number(value)}"
    if value < 0:
        return f"−{_number(-value)}"  # a real minus sign: screen readers say "minus"
    return "0"


@login_required
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    try:
        patient = own_patient_record(user)
    except NotFound:
        raise Http404 from None
    rows = list(assessments_of(patient)[:SCORES_READ])
    record_results_viewed(user, patient)
    measures = progress_for(rows, patient_time_zone(patient))
    return render(
        request,
        "monitoring/progress.html",
        {"measures": measures},
    )
