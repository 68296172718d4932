"""The clinician's alert list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from careloop.accounts.models import User
from careloop.audit.models import AuditAction, Purpose
from careloop.audit.services import record_patient_reads
from careloop.safety.selectors import alerts_visible_to


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not user.works_in_care_team or user.service_id is None:
        raise Http404
    alerts = list(alerts_visible_to(user)[:200])
    if alerts:
        record_patient_reads(
            actor=user,
            action=AuditAction.ALERTS_VIEWED,
            service_id=user.service_id,
            patient_ids=sorted({alert.patient_id for alert in alerts}),
            purpose=Purpose.TREATMENT,
            source_ip=request.META.get("REMOTE_ADDR"),
        )
    return render(request, "safety/alert_list.html", {"alerts": alerts})
