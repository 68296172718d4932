"""Server-rendered pages: the patient's crisis page, the safety plan (view, edit, history) and the
safety lead's review of crisis lines. Outsiders get 404 everywhere (care.selectors decides)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from careloop.accounts.selectors import request_user, signed_in_user
from careloop.care.selectors import own_patient_record, patient_visible_to, require_write_access
from careloop.core import clock
from careloop.core.errors import DomainError, NotFound
from careloop.core.selectors import service_ids, service_with_id
from careloop.safety.planning import forms, selectors, services
from careloop.safety.planning.api import OFFLINE_CACHE_CONTROL
from careloop.safety.planning.directory import country_from_accept_language, crisis_card
from careloop.safety.planning.errors import StaleSafetyPlan
from careloop.safety.planning.models import SafetyPlanVersion
from careloop.safety.planning.plan_content import empty_content, sections_with_items

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient
    from careloop.core.models import Service


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


# The country the visitor chose on the crisis page: a preference, not personal data (a country
# code, nothing else), kept for a year so the page opens on the same country next time, offline
# too. docs/patient-app/crisis.md.
HELP_COUNTRY_COOKIE = "careloop_help_country"
HELP_COUNTRY_MAX_AGE = 365 * 24 * 60 * 60
# Anonymous visitors: any browser may keep the page (and the service worker may store it for
# offline use), but must ask again when online so a changed line shows at once; no shared cache
# may keep it, because it differs by the country cookie and the browser's languages.
PUBLIC_CACHE_CONTROL = "private, no-cache"


@require_GET
def crisis(request: HttpRequest) -> HttpResponse:
    """Get help now: public, no sign-in. The emergency number first (when checked), then the
    helplines the care service confirmed, then the shipped directory's checked lines for the
    country; for a signed-in patient, their safety plan after them."""
    user = signed_in_user(request)
    patient = _patient_or_none(user)
    chosen = _chosen_country(request)
    service = patient.service if patient is not None else _only_service()
    country = _country_for(request, chosen, service)
    directory = selectors.crisis_directory()
    card = None
    if country is not None:
        same_country = service is not None and service.country_code.upper() == country
        card = crisis_card(
            directory,
            country=country,
            language=translation.get_language() or "en",
            confirmed=selectors.confirmed_lines(service.id) if same_country and service else (),
            include_directory_lines=True,
            withdrawn=selectors.withdrawn_lines(service.id) if same_country and service else (),
        )
    context: dict[str, Any] = {
        "card": card,
        "country": country,
        "countries": directory.country_names(),
        "not_covered_reason": directory.not_covered.get(country or ""),
        "signed_in": user is not None,
        "generated_at": clock.now(),
        "sw_scope": _service_worker_scope(),
    }
    if patient is not None and user is not None:
        version = selectors.current_version_of(patient)
        services.record_safety_plan_viewed(patient, actor=user, version=version, what="crisis_page")
        context.update(_plan_context(patient, version))
    response = render(request, "safety_planning/crisis.html", context)
    if chosen is not None:
        response.set_cookie(
            HELP_COUNTRY_COOKIE,
            chosen,
            max_age=HELP_COUNTRY_MAX_AGE,
            samesite="Lax",
            secure=settings.SECURE_COOKIES,
            httponly=True,
        )
    # A signed-in patient's page carries their plan: no-store (core.cache_control does the same).
    response["Cache-Control"] = OFFLINE_CACHE_CONTROL if user is not None else PUBLIC_CACHE_CONTROL
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def _patient_or_none(user: User | None) -> Patient | None:
    if user is None:
        return None
    try:
        return own_patient_record(user)
    except NotFound:
        return None  # staff, researchers: the public page, no plan


def _chosen_country(request: HttpRequest) -> str | None:
    """A country picked with the page's chooser (?country=FR), if it is one the page knows."""
    code = request.GET.get("country", "").strip().upper()
    return code if code and selectors.crisis_directory().knows(code) else None


def _only_service() -> Service | None:
    """The deployment's service when there is exactly one: its confirmed lines and country are
    then the right ones for anyone who opens the page, signed in or not."""
    ids = service_ids()
    return service_with_id(ids[0]) if len(ids) == 1 else None


def _country_for(request: HttpRequest, chosen: str | None, service: Service | None) -> str | None:
    """Which country's help to show: the visitor's own choice (now, or remembered in the cookie),
    else the patient's (or the only) service's country, else the browser's language region
    (es-MX -> MX); None when none is known, and the page asks."""
    directory = selectors.crisis_directory()
    remembered = request.COOKIES.get(HELP_COUNTRY_COOKIE, "").strip().upper()
    for candidate in (chosen, remembered, service.country_code.upper() if service else None):
        if candidate and directory.knows(candidate):
            return candidate
    return country_from_accept_language(
        request.headers.get("Accept-Language", ""), directory.country_names()
    )


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
        messages.success(
            request, gettext("Safety plan saved as version %(number)s.") % {"number": saved.number}
        )
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
