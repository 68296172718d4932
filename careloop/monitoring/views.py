"""Home (by role), the patient's schedule and mood check-in, the clinician's caseload and patient
page with its measurement plan."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.accounts.selectors import request_user
from careloop.accounts.types import Role
from careloop.assessments.selectors import assessments_of
from careloop.assessments.types import SubmissionSource
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import (
    may_write,
    own_patient_record,
    patient_visible_to,
    require_write_access,
)
from careloop.core import clock
from careloop.core.errors import DomainError, InvalidInput, NotFound
from careloop.core.http import client_ip
from careloop.monitoring import follow_up_selectors, selectors
from careloop.monitoring.patient_charts import charts_for
from careloop.monitoring.schedule import local_date
from careloop.monitoring.services import (
    PlanItemChange,
    change_plan_item,
    record_checkin,
)
from careloop.safety.presenters import reason_of
from careloop.safety.selectors import alerts_visible_to

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient


def _user(request: HttpRequest) -> User:
    return request_user(request)  # every view here is behind login_required


def _own_record_or_404(user: User) -> Patient:
    try:
        return own_patient_record(user)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.works_in_care_team:
        return redirect("monitoring:caseload")
    # The other staff roles land on their own start page (#13: service admin, researcher).
    if user.role == Role.SERVICE_ADMIN:
        return redirect("manage:hub")
    if user.role == Role.RESEARCHER:
        return redirect("manage:research")
    try:
        patient = own_patient_record(user)
    except NotFound:
        return render(request, "monitoring/no_access.html")
    now = clock.now()
    today = local_date(now, selectors.patient_time_zone(patient))
    due = [
        (entry, selectors.due_sentence(entry, today))
        for entry in selectors.schedule_for(patient, now)
    ]
    context = {
        "patient": patient,
        "due": due,
        # Asked after a risk answer until answered or its alert is closed (HZ-021).
        "follow_ups": follow_up_selectors.due_follow_ups(patient),
    }
    return render(request, "monitoring/patient_home.html", context)


def _mood_from_form(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest) -> HttpResponse:
    """The daily mood check-in form (the JSON API takes the same through POST /api/checkins)."""
    user = _user(request)
    patient = _own_record_or_404(user)
    error = ""
    if request.method == "POST":
        mood = _mood_from_form(request.POST.get("mood", ""))
        try:
            if mood is None:
                raise InvalidInput(_("Please choose a number from 0 to 10."))
            record_checkin(
                patient,
                actor=user,
                mood=mood,
                note=request.POST.get("note", ""),
                client_id=uuid.UUID(request.POST.get("client_id", "")),
                source=SubmissionSource.WEB,
            )
        except ValueError:
            error = _("The form was incomplete. Please try again.")
        except DomainError as problem:
            error = problem.message
        else:
            messages.success(request, _("Thank you. Your check-in is saved."))
            return redirect("home")
    context = {
        "client_id": uuid.uuid4(),
        "error": error,
        "moods": range(0, 11),
        "submitted": request.POST if error else {},
    }
    return render(request, "monitoring/checkin.html", context, status=422 if error else 200)


def _visible_or_404(user: User, patient_id: uuid.UUID) -> Patient:
    try:
        return patient_visible_to(user, patient_id)
    except NotFound:
        raise Http404 from None


def _patient_page(
    request: HttpRequest, user: User, patient: Patient, *, error: str = "", status: int = 200
) -> HttpResponse:
    record_event(
        actor=user,
        action=AuditAction.PATIENT_VIEWED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=PurposeOfUse.TREAT,
        obj=("Patient", patient.id),
        source_ip=client_ip(request),
    )
    assessments = list(assessments_of(patient)[:200])
    alerts = [
        (alert, reason_of(alert)) for alert in alerts_visible_to(user).filter(patient=patient)[:50]
    ]
    context = {
        "patient": patient,
        "assessments": assessments,
        "alerts": alerts,
        # Server-drawn SVG charts of the current episode (#13): built from the rows above.
        "charts": charts_for(patient, assessments=assessments, alerts=alerts),
        "follow_ups": follow_up_selectors.follow_ups_of(patient),
        "plan": selectors.plan_overview_for(patient, clock.now()),
        "skipped_measures": selectors.skipped_default_measures(),
        "checkins": list(selectors.checkins_of(patient)[:30]),
        # Emergency access reads only (HZ-023): no plan inputs or Save buttons it would be
        # refused on (care.selectors.may_write, the same judge as the alert page's buttons).
        "can_change_plan": user.works_in_care_team and may_write(user, patient),
        "plan_error": error,
    }
    return render(request, "monitoring/patient_detail.html", context, status=status)


@login_required
@require_GET
def patient_detail(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    return _patient_page(request, user, _visible_or_404(user, patient_id))


def _change_from_form(request: HttpRequest) -> PlanItemChange:
    """Whole numbers from the form; ValueError for anything else."""
    return PlanItemChange(
        every_days=int(request.POST.get("every_days", "")),
        overdue_after_days=int(request.POST.get("overdue_after_days", "")),
        remind_before_days=int(request.POST.get("remind_before_days", "0") or 0),
        reminder_enabled=request.POST.get("reminder_enabled") == "on",
        active=request.POST.get("active") == "on",
    )


@login_required
@require_POST
def plan_item(request: HttpRequest, patient_id: uuid.UUID, measure: str) -> HttpResponse:
    """A clinician changes one measure of a patient's plan (the form on the patient page)."""
    user = _user(request)
    patient = _visible_or_404(user, patient_id)
    try:
        require_write_access(patient)
    except DomainError as problem:
        return _patient_page(
            request, user, patient, error=problem.message, status=problem.status_code
        )
    try:
        change = _change_from_form(request)
    except ValueError:
        error = _("Please enter whole numbers of days.")
        return _patient_page(request, user, patient, error=error, status=422)
    try:
        change_plan_item(patient, actor=user, measure=measure, change=change)
    except DomainError as problem:
        return _patient_page(
            request, user, patient, error=problem.message, status=problem.status_code
        )
    messages.success(request, _("The measurement plan is updated."))
    return redirect("monitoring:patient", patient_id=patient.id)
