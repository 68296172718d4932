"""The care manager's registry (the caseload page): who needs attention today, filtered, paged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from careloop.accounts.selectors import request_user
from careloop.core.http import client_ip
from careloop.monitoring import selectors
from careloop.monitoring.services import record_caseload_viewed


@login_required
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not user.works_in_care_team:
        raise Http404
    page = selectors.caseload_page(user, request.GET.get("page"))
    # The patients this page shows are the ones read (the API, unpaged, records all of them).
    record_caseload_viewed(user, page.rows, source_ip=client_ip(request))
    context = {"rows": page.rows, "page": page, "missed_flag": selectors.MISSED_IN_A_ROW_FLAG}
    return render(request, "monitoring/caseload.html", context)
