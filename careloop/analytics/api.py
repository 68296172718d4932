"""JSON API: service reports for the people who run the service (supervisors, service admins)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from careloop.accounts.api import api_user
from careloop.analytics.reports import nhs_tt_report
from careloop.analytics.selectors import report_service_for
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.core.api import ApiError

router = Router(tags=["analytics"], auth=django_auth)


class RateOut(Schema):
    numerator: int
    denominator: int
    rate: float | None


class MetricRowOut(Schema):
    """One dashboard figure; a suppressed row (a group under 10) carries no numbers."""

    metric: str
    dimension: str
    group: str
    numerator: int | None
    denominator: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


class NhsTtReportOut(Schema):
    service: str
    period_from: date | None
    period_to: date | None
    referrals: int
    ended: int
    finished: int
    finished_sessions_estimated: int
    finished_without_outcome_pair: int
    finished_not_at_caseness: int
    finished_cases: int
    recovery: RateOut
    reliable_improvement: RateOut
    reliable_recovery: RateOut
    reliable_deterioration: RateOut
    definitions: dict[str, str]
    by_group: list[MetricRowOut] | None = None


@router.get(
    "/services/current/reports/nhs-tt",
    response={200: NhsTtReportOut, 404: ApiError, 422: ApiError},
    summary="NHS Talking Therapies outcomes of my service (supervisors and service admins)",
)
def nhs_tt(
    request: HttpRequest,
    period_from: date | None = None,
    period_to: date | None = None,
    by_group: bool = False,
) -> NhsTtReportOut:
    """With `by_group=true`, also every service dashboard figure by group (as `careloop report
    nhs-tt --json --by-group` and /service/dashboard.csv), groups under 10 suppressed."""
    user = api_user(request)
    service = report_service_for(user)
    report = nhs_tt_report(service, period_from=period_from, period_to=period_to, by_group=by_group)
    # Aggregates only, but still a use of patient data: the trail says who ran which report.
    record_event(
        actor=user,
        action=AuditAction.REPORT_VIEWED,
        service_id=service.id,
        purpose=PurposeOfUse.HOPERAT,
        obj=("Report", "nhs-tt"),
        detail={"from": str(period_from or ""), "to": str(period_to or "")},
    )
    rates = {
        name: RateOut(numerator=r.numerator, denominator=r.denominator, rate=r.value)
        for name, r in report.rates.items()
    }
    return NhsTtReportOut(
        service=report.service_slug,
        period_from=report.period_from,
        period_to=report.period_to,
        referrals=report.referrals,
        ended=report.ended,
        finished=report.finished,
        finished_sessions_estimated=report.finished_sessions_estimated,
        finished_without_outcome_pair=report.finished_without_outcome_pair,
        finished_not_at_caseness=report.finished_not_at_caseness,
        finished_cases=report.finished_cases,
        recovery=rates["recovery"],
        reliable_improvement=rates["reliable_improvement"],
        reliable_recovery=rates["reliable_recovery"],
        reliable_deterioration=rates["reliable_deterioration"],
        definitions=report.definitions,
        by_group=(
            [MetricRowOut(**row.to_dict()) for row in report.by_group]  # type: ignore[arg-type]
            if report.by_group is not None
            else None
        ),
    )
