"""Home (by role), the patient's due questionnaires, the clinician's caseload and patient page."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from careloop.accounts.models import User
from careloop.assessments.selectors import assessments_of
from careloop.audit.models import AuditAction, Purpose
from careloop.audit.services import record_event, record_patient_reads
from careloop.care.selectors import own_patient_record, patient_visible_to
from careloop.core import clock
from careloop.core.errors import NotFound
from careloop.instruments.library import get_instrument
from careloop.monitoring.selectors import caseload_rows, schedule_for
from careloop.safety.selectors import alerts_visible_to


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.works_in_care_team:
        return redirect("monitoring:caseload")
    try:
        patient = own_patient_record(user)
    except NotFound:
        return render(request, "monitoring/no_access.html")
    due = [
        (status, get_instrument(status.instrument_id))
        for status in schedule_for(patient, clock.now())
    ]
    return render(request, "monitoring/patient_home.html", {"patient": patient, "due": due})


@login_required
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.works_in_care_team:
        raise Http404
    rows = caseload_rows(user)
    if user.service_id is not None and rows:
        record_patient_reads(
            actor=user,
            action=AuditAction.CASELOAD_VIEWED,
            service_id=user.service_id,
            patient_ids=[row.patient.id for row in rows],
            purpose=Purpose.TREATMENT,
            source_ip=_client_ip(request),
        )
    return render(request, "monitoring/caseload.html", {"rows": rows})


@login_required
@require_GET
def patient_detail(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    try:
        patient = patient_visible_to(user, patient_id)
    except NotFound:
        raise Http404 from None
    record_event(
        actor=user,
        action=AuditAction.PATIENT_VIEWED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=Purpose.TREATMENT,
        obj=("Patient", patient.id),
        source_ip=_client_ip(request),
    )
    context = {
        "patient": patient,
        "assessments": list(assessments_of(patient)[:200]),
        "alerts": list(alerts_visible_to(user).filter(patient=patient)[:50]),
    }
    return render(request, "monitoring/patient_detail.html", context)
