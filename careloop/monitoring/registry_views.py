"""The care manager's registry (the caseload page): who needs attention today, filtered, paged."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from careloop.accounts.selectors import request_user
from careloop.care.types import CareStep
from careloop.core.http import client_ip
from careloop.monitoring import selectors
from careloop.monitoring.plain_names import measure_name
from careloop.monitoring.selectors.caseload import (
    REGISTRY_INSTRUMENTS,
    Choice,
    RegistryFilters,
    StatusFilter,
    registry_teams,
)
from careloop.monitoring.services import record_caseload_viewed


def _status_choices() -> list[Choice]:
    return [
        Choice(StatusFilter.ALERT, _("Open alert")),
        Choice(StatusFilter.WORSENING, _("Getting worse or not on track")),
        Choice(StatusFilter.OVERDUE, _("Overdue")),
        Choice(StatusFilter.IN_CARE, _("In care")),
        Choice(StatusFilter.DISCHARGED, _("Discharged or finished")),
    ]


@login_required
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not user.works_in_care_team:
        raise Http404
    filters = RegistryFilters.from_query(request.GET)
    teams = registry_teams(user)
    page = selectors.caseload_page(user, request.GET.get("page"), filters=filters, teams=teams)
    # The patients this page shows are the ones read (the API, unpaged, records all of them).
    record_caseload_viewed(user, page.rows, source_ip=client_ip(request))
    clinicians = {c.value: c for team in teams for c in team.staff}
    context = {
        "rows": page.rows,
        "page": page,
        "filters": filters,
        "filter_query": urlencode(filters.as_query()),
        "missed_flag": selectors.MISSED_IN_A_ROW_FLAG,
        "teams": teams,
        "clinicians": sorted(clinicians.values(), key=lambda c: c.label.lower()),
        "steps": [Choice(str(step.value), str(step.label)) for step in CareStep],
        "statuses": _status_choices(),
        "measures": [Choice(m, measure_name(m)) for m in REGISTRY_INSTRUMENTS],
    }
    return render(request, "monitoring/caseload.html", context)
