"""The service dashboard (/service/): the service lead's outcomes, overall and by group.

Who: a supervisor or service admin of the service (analytics.selectors.report_service_for);
anyone else gets 404, the same answer as for a page that does not exist. The staff-MFA gate
(accounts.middleware) has already asked for the second factor.

What: the NHS TT report with its breakdown (analytics.reports.nhs_tt_report(by_group=True)), so
the figures are those of `careloop report nhs-tt --json --by-group` for the same period; small
groups are suppressed inside the report, before this module sees them. Computed reports are
cached per service, period and day for REPORT_CACHE_SECONDS (aggregates only, no identities):
a 100k-patient service takes tens of seconds to compute (docs/workspace/dashboard.md).
"""

from __future__ import annotations

import calendar
import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from careloop.accounts.selectors import signed_in_user
from careloop.accounts.types import Role
from careloop.analytics.breakdown import (
    DIMENSIONS,
    NOT_RECORDED,
    OVERALL,
    RATE_METRICS,
    TIME_METRICS,
    MetricRow,
)
from careloop.analytics.charts import ChartRow, dot_whisker_svg
from careloop.analytics.intervals import CI_METHOD, MIN_SHOWN
from careloop.analytics.reports import NhsTtReport, nhs_tt_report
from careloop.analytics.selectors import report_service_for
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.types import Gender
from careloop.core import clock
from careloop.core.errors import NotFound
from careloop.core.http import client_ip

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.core.models import Service

REPORT_CACHE_SECONDS = 60 * 60  # a computed report is reused for at most an hour (and the day)
CSV_FIELDS = (
    "metric",
    "dimension",
    "group",
    "numerator",
    "denominator",
    "rate",
    "ci_low",
    "ci_high",
    "suppressed",
)

METRIC_WORDS = {
    "recovery": gettext_lazy("Recovery"),
    "reliable_improvement": gettext_lazy("Reliable improvement"),
    "reliable_recovery": gettext_lazy("Reliable recovery"),
    "reliable_deterioration": gettext_lazy("Reliable deterioration"),
    "cocm_response": gettext_lazy("Collaborative care: response"),
    "cocm_remission": gettext_lazy("Collaborative care: remission"),
    "engagement": gettext_lazy("Engagement (finished a course)"),
    "drop_out": gettext_lazy("Dropped out"),
    "alert_ack_within_policy": gettext_lazy("Alerts acknowledged in time"),
    "alert_ack_median_minutes": gettext_lazy("Time to acknowledge an alert: median"),
    "alert_ack_p90_minutes": gettext_lazy("Time to acknowledge an alert: 9 in 10 within"),
}
METRIC_MEANING = {
    "recovery": gettext_lazy(
        "Of the people who finished a course and started above the clinical cut-off, the share "
        "who ended below it on both depression and anxiety questionnaires."
    ),
    "reliable_improvement": gettext_lazy(
        "Of the people who finished a course, the share whose scores fell by more than "
        "measurement error on at least one questionnaire (and did not rise on the other)."
    ),
    "reliable_recovery": gettext_lazy(
        "Of the people who finished a course above the cut-off, the share who both recovered "
        "and reliably improved."
    ),
    "reliable_deterioration": gettext_lazy(
        "Of the people who finished a course, the share whose scores rose by more than "
        "measurement error on at least one questionnaire. Lower is better."
    ),
    "cocm_response": gettext_lazy(
        "Of the courses that started with a depression score of 10 or more, the share whose "
        "last depression score was at most half the first."
    ),
    "cocm_remission": gettext_lazy(
        "Of the same courses, the share whose last depression score was below 5."
    ),
    "engagement": gettext_lazy(
        "Of the courses that ended, the share with at least two treatment sessions."
    ),
    "drop_out": gettext_lazy(
        "Of the courses that ended, the share that ended because the person stopped coming. "
        "Lower is better."
    ),
    "alert_ack_within_policy": gettext_lazy(
        "Of the safety alerts acknowledged, or whose first deadline has passed, the share "
        "acknowledged within the time the team's escalation policy gives the first people told."
    ),
    "alert_ack_median_minutes": gettext_lazy(
        "Half of the acknowledged safety alerts were acknowledged within this many minutes."
    ),
    "alert_ack_p90_minutes": gettext_lazy(
        "Nine in ten acknowledged safety alerts were acknowledged within this many minutes."
    ),
}
DIMENSION_WORDS = {
    "ethnicity": gettext_lazy("Ethnicity"),
    "gender": gettext_lazy("Gender"),
    "age_band": gettext_lazy("Age band"),
    "preferred_language": gettext_lazy("Preferred language"),
    "deprivation_quintile": gettext_lazy("Deprivation quintile"),
}
GROUP_WORDS = {
    ("ethnicity", "white"): gettext_lazy("White"),
    ("ethnicity", "mixed"): gettext_lazy("Mixed or multiple"),
    ("ethnicity", "asian"): gettext_lazy("Asian or Asian British"),
    ("ethnicity", "black"): gettext_lazy("Black, Black British, Caribbean or African"),
    ("ethnicity", "other"): gettext_lazy("Other ethnic group"),
    ("ethnicity", "not_stated"): gettext_lazy("Not stated"),
    ("age_band", "under_18"): gettext_lazy("Under 18"),
    ("age_band", "18_24"): gettext_lazy("18 to 24"),
    ("age_band", "25_34"): gettext_lazy("25 to 34"),
    ("age_band", "35_44"): gettext_lazy("35 to 44"),
    ("age_band", "45_54"): gettext_lazy("45 to 54"),
    ("age_band", "55_64"): gettext_lazy("55 to 64"),
    ("age_band", "65_and_over"): gettext_lazy("65 and over"),
    ("deprivation_quintile", "1"): gettext_lazy("1 (most deprived)"),
    ("deprivation_quintile", "2"): gettext_lazy("2"),
    ("deprivation_quintile", "3"): gettext_lazy("3"),
    ("deprivation_quintile", "4"): gettext_lazy("4"),
    ("deprivation_quintile", "5"): gettext_lazy("5 (least deprived)"),
    **{("gender", value): label for value, label in Gender.choices},
}
SUPPRESSED_WORDS = gettext_lazy("fewer than 10 — not shown")
# Preferred languages Django has no name for (it knows the languages it is translated into).
LANGUAGE_WORDS = {"so": gettext_lazy("Somali"), "pa": gettext_lazy("Punjabi")}


def group_words(dimension: str, group: str) -> str:
    if group == NOT_RECORDED:
        return _("Not recorded")
    if dimension == "preferred_language":
        if group in LANGUAGE_WORDS:
            return str(LANGUAGE_WORDS[group])
        try:
            return str(translation.get_language_info(group)["name_translated"])
        except KeyError:
            return group
    return str(GROUP_WORDS.get((dimension, group), group))


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None
    start_text: str  # YYYY-MM as typed back into the form
    end_text: str

    def query(self) -> str:
        """The period as a query string for links (the months are validated YYYY-MM)."""
        parts = (("from", self.start_text), ("to", self.end_text))
        return "&".join(f"{name}={value}" for name, value in parts if value)


def _month(text: str) -> date | None:
    """'2026-03' → 1 March 2026; anything else → None (the form says why)."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


def _period(request: HttpRequest) -> tuple[Period, list[str]]:
    start_text = request.GET.get("from", "").strip()[:7]
    end_text = request.GET.get("to", "").strip()[:7]
    errors = []
    start = _month(start_text) if start_text else None
    end = _month(end_text) if end_text else None
    if start_text and start is None:
        errors.append(_("The first month must be written as year and month, like 2026-01."))
        start_text = ""
    if end_text and end is None:
        errors.append(_("The last month must be written as year and month, like 2026-06."))
        end_text = ""
    if end is not None:
        end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    if start and end and start > end:
        errors.append(_("The first month comes after the last month; showing all time."))
        start = end = None
        start_text = end_text = ""
    return Period(start, end, start_text, end_text), errors


def _reader(request: HttpRequest) -> User:
    """The signed-in supervisor or service admin; anyone else: 404 (as for no such page)."""
    user = signed_in_user(request)
    if user is None or user.role not in (Role.SUPERVISOR, Role.SERVICE_ADMIN):
        raise Http404
    return user


def _service_and_period(request: HttpRequest) -> tuple[Service, Period, list[str]]:
    try:
        service = report_service_for(_reader(request))
    except NotFound as error:
        raise Http404 from error
    period, errors = _period(request)
    return service, period, errors


def _report(service: Service, period: Period) -> NhsTtReport:
    """The report with its breakdown, cached per service, period and day."""
    key = ":".join(
        (
            "careloop:service-dashboard",
            str(service.id),
            str(period.start or ""),
            str(period.end or ""),
            clock.now().date().isoformat(),
        )
    )
    report = cache.get(key)
    if isinstance(report, NhsTtReport):
        return report
    report = nhs_tt_report(
        service,
        period_from=period.start,
        period_to=period.end,
        by_group=True,
    )
    cache.set(key, report, REPORT_CACHE_SECONDS)
    return report


def _percent(value: float | None) -> str:
    # A no-break space keeps "55.6 %" on one line; the interval may break only at its dash.
    return "" if value is None else f"{100 * value:.1f}\u00a0%"


@dataclass(frozen=True)
class TableRow:
    label: str
    row: MetricRow

    @property
    def shown_rate(self) -> str:
        if self.row.metric in TIME_METRICS:
            return "" if self.row.rate is None else f"{self.row.rate:.1f}"
        return _percent(self.row.rate)

    @property
    def shown_interval(self) -> str:
        if self.row.ci_low is None or self.row.ci_high is None:
            return ""
        return f"{_percent(self.row.ci_low)} – {_percent(self.row.ci_high)}"


def _overall(rows: list[MetricRow], metric: str) -> MetricRow:
    return next(r for r in rows if r.metric == metric and r.dimension == OVERALL)


def _sections(rows: list[MetricRow], metric: str) -> list[dict[str, object]]:
    """One section per dimension: its chart (proportions only) and table rows."""
    overall = _overall(rows, metric)
    sections = []
    for dimension in DIMENSIONS:
        mine = [r for r in rows if r.metric == metric and r.dimension == dimension]
        table = [TableRow(group_words(dimension, r.group), r) for r in mine]
        chart = ""
        if metric in RATE_METRICS and mine:
            title = _("%(metric)s by %(dimension)s") % {
                "metric": METRIC_WORDS[metric],
                "dimension": str(DIMENSION_WORDS[dimension]).lower(),
            }
            chart = dot_whisker_svg(
                title,
                [
                    ChartRow(
                        t.label, t.row.rate, t.row.ci_low, t.row.ci_high, str(SUPPRESSED_WORDS)
                    )
                    for t in table
                ],
                overall=overall.rate,
                overall_label=_("All people (dashed line)"),
                chart_id=f"chart-{metric}-{dimension}",
            )
        sections.append(
            {
                "dimension": dimension,
                "words": DIMENSION_WORDS[dimension],
                "chart": mark_safe(chart),  # noqa: S308  # built by charts.py, every text escaped
                "rows": table,
            }
        )
    return sections


@login_required
@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    service, period, errors = _service_and_period(request)
    metric = request.GET.get("metric", "recovery")
    if metric not in METRIC_WORDS:
        metric = "recovery"
    report = _report(service, period)
    rows = report.by_group or []
    record_event(
        actor=_reader(request),
        action=AuditAction.REPORT_VIEWED,
        service_id=service.id,
        purpose=PurposeOfUse.HOPERAT,
        obj=("Report", "service-dashboard"),
        source_ip=client_ip(request),
        detail={"from": str(period.start or ""), "to": str(period.end or ""), "metric": metric},
    )
    summary = [
        {
            "metric": name,
            "words": METRIC_WORDS[name],
            "meaning": METRIC_MEANING[name],
            "row": TableRow(str(METRIC_WORDS[name]), _overall(rows, name)),
            "is_time": name in TIME_METRICS,
            "selected": name == metric,
        }
        for name in METRIC_WORDS
    ]
    context = {
        "service": service,
        "period": period,
        "errors": errors,
        "report": report,
        "summary": summary,
        "metric": metric,
        "metric_words": METRIC_WORDS[metric],
        "metric_meaning": METRIC_MEANING[metric],
        "is_time": metric in TIME_METRICS,
        "sections": _sections(rows, metric),
        "min_shown": MIN_SHOWN,
        "ci_method": CI_METHOD,
        "suppressed_words": SUPPRESSED_WORDS,
        "computed_on": clock.now(),
        "csv_query": period.query(),
    }
    response = render(request, "analytics/dashboard.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET"])
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """Every figure of the dashboard: one row per metric × dimension × group."""
    service, period, _errors = _service_and_period(request)
    report = _report(service, period)
    record_event(
        actor=_reader(request),
        action=AuditAction.REPORT_DOWNLOADED,
        service_id=service.id,
        purpose=PurposeOfUse.HOPERAT,
        obj=("Report", "service-dashboard.csv"),
        source_ip=client_ip(request),
        detail={"from": str(period.start or ""), "to": str(period.end or "")},
    )
    return csv_response(report, period)


def csv_text(rows: list[MetricRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        values = row.to_dict()
        writer.writerow(
            {
                **{k: "" if v is None else v for k, v in values.items()},
                "suppressed": "true" if row.suppressed else "false",
            }
        )
    return out.getvalue()


def csv_response(report: NhsTtReport, period: Period) -> HttpResponse:
    name = "service-dashboard"
    if period.start_text or period.end_text:
        name += f"-{period.start_text or 'start'}-to-{period.end_text or 'now'}"
    response = HttpResponse(csv_text(report.by_group or []), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.service_slug}-{name}.csv"'
    response["Cache-Control"] = "no-store"
    return response
