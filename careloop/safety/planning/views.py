"""Server-rendered pages: the patient's crisis page, the safety plan (view, edit, history) and the
safety lead's review of crisis lines. Outsiders get 404 everywhere (care.selectors decides)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from careloop.accounts.selectors import request_user
from careloop.care.selectors import own_patient_record, patient_visible_to, require_write_access
from careloop.core import clock
from careloop.core.errors import DomainError, NotFound
from careloop.safety.planning import forms, selectors, services
from careloop.safety.planning.api import OFFLINE_CACHE_CONTROL
from careloop.safety.planning.errors import StaleSafetyPlan
from careloop.safety.planning.models import SafetyPlanVersion
from careloop.safety.planning.plan_content import empty_content, sections_with_items

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient


def _user(request: HttpRequest) -> User:
    return request_user(request)


def _own_patient(request: HttpRequest) -> tuple[User, Patient]:
    user = _user(request)
    try:
        return user, own_patient_record(user)
    except NotFound:
        raise Http404 from None


def _visible_patient(request: HttpRequest, patient_id: uuid.UUID) -> tuple[User, Patient]:
    user = _user(request)
    try:
        return user, patient_visible_to(user, patient_id)
    except NotFound:
        raise Http404 from None


def _plan_context(patient: Patient, version: SafetyPlanVersion | None) -> dict[str, Any]:
    content = version.content if version is not None else empty_content()
    return {"patient": patient, "version": version, "sections": sections_with_items(content)}


@login_required
@require_GET
def crisis(request: HttpRequest) -> HttpResponse:
    """Emergency number first, then the lines the service confirmed, then the patient's plan."""
    user, patient = _own_patient(request)
    version = selectors.current_version_of(patient)
    services.record_safety_plan_viewed(patient, actor=user, version=version, what="crisis_page")
    context = {
        **_plan_context(patient, version),
        "card": selectors.crisis_card_for(patient),
        "generated_at": clock.now(),
        "sw_scope": _service_worker_scope(),
    }
    response = render(request, "safety_planning/crisis.html", context)
    response["Cache-Control"] = OFFLINE_CACHE_CONTROL
    return response


def _service_worker_scope() -> str:
    """The folder the worker script lives in (/safety/): the widest scope it may claim."""
    return reverse("safety_planning:service-worker").rsplit("/", 1)[0] + "/"


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The script that keeps the crisis page available offline (scope: /safety/)."""
    response = render(
        request, "safety_planning/sw.js", content_type="application/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"  # browsers must pick up a new worker promptly
    return response


@login_required
@require_GET
def my_plan(request: HttpRequest) -> HttpResponse:
    _, patient = _own_patient(request)
    return redirect("safety_planning:plan", patient_id=patient.id)


@login_required
@require_GET
def plan_detail(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    user, patient = _visible_patient(request, patient_id)
    version = selectors.current_version_of(patient)
    services.record_safety_plan_viewed(patient, actor=user, version=version, what="plan_page")
    return render(request, "safety_planning/plan.html", _plan_context(patient, version))


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    user, patient = _visible_patient(request, patient_id)
    current = selectors.current_version_of(patient)
    if request.method == "POST":
        try:
            require_write_access(patient)
            saved = services.save_safety_plan(
                patient,
                actor=user,
                base_version=forms.base_version_from_post(request.POST),
                sections=forms.sections_from_post(request.POST),
            )
        except StaleSafetyPlan as problem:
            # Show the newest version beside the author's unsaved words; saving again is then an
            # informed choice based on the newest version.
            return _edit_page(request, patient, current, problem.message, status=409, stale=True)
        except DomainError as problem:
            return _edit_page(request, patient, current, problem.message, problem.status_code)
        messages.success(request, f"Safety plan saved as version {saved.number}.")
        return redirect("safety_planning:plan", patient_id=patient.id)
    services.record_safety_plan_viewed(patient, actor=user, version=current, what="edit_page")
    return _edit_page(request, patient, current)


def _edit_page(
    request: HttpRequest,
    patient: Patient,
    current: SafetyPlanVersion | None,
    error: str = "",
    status: int = 200,
    *,
    stale: bool = False,
) -> HttpResponse:
    if error:
        shown = forms.posted_content(request.POST)
    else:
        shown = current.content if current is not None else empty_content()
    context = {
        "patient": patient,
        "current": current,
        "base_version": current.number if current is not None else 0,
        "form_sections": forms.form_sections(shown),
        "error": error,
        "stale_sections": sections_with_items(current.content) if stale and current else None,
    }
    return render(request, "safety_planning/plan_edit.html", context, status=status)


@login_required
@require_GET
def plan_history(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    user, patient = _visible_patient(request, patient_id)
    versions = list(selectors.versions_of(patient))
    services.record_safety_plan_viewed(patient, actor=user, version=None, what="history_page")
    return render(
        request, "safety_planning/plan_history.html", {"patient": patient, "versions": versions}
    )


@login_required
@require_GET
def plan_version(request: HttpRequest, patient_id: uuid.UUID, number: int) -> HttpResponse:
    user, patient = _visible_patient(request, patient_id)
    try:
        version = selectors.version_of(patient, number)
    except NotFound:
        raise Http404 from None
    services.record_safety_plan_viewed(patient, actor=user, version=version, what="version_page")
    context = {**_plan_context(patient, version), "is_old_version": True}
    return render(request, "safety_planning/plan.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    """The safety lead confirms (or withdraws) each verified line before patients see it."""
    user = _user(request)
    try:
        service = selectors.reviewer_service(user)
    except NotFound:
        raise Http404 from None
    error, status = "", 200
    if request.method == "POST":
        try:
            done = _apply_review(request, user)
        except DomainError as problem:
            error, status = problem.message, problem.status_code
        else:
            messages.success(request, done)
            return redirect("safety_planning:review")
    directory = selectors.crisis_directory()
    context = {
        "service": service,
        "directory": directory,
        "resources": directory.for_country(service.country_code),
        "rows": selectors.review_rows_for(service),
        "error": error,
    }
    return render(request, "safety_planning/review.html", context, status=status)


def _apply_review(request: HttpRequest, user: User) -> str:
    entry_id = request.POST.get("entry_id", "")
    action = request.POST.get("action", "")
    if action == "confirm":
        services.confirm_crisis_line(
            actor=user, entry_id=entry_id, seen_entry_sha256=request.POST.get("entry_sha256", "")
        )
        return f"Confirmed {entry_id}: your patients now see it."
    if action == "withdraw":
        services.withdraw_crisis_line(actor=user, entry_id=entry_id)
        return f"Withdrawn {entry_id}: your patients no longer see it."
    raise DomainError("Choose confirm or withdraw.")
