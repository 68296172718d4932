"""Supervision pages: the psychiatric consultant's review list (/supervision/), a patient's case
reviews with the note and sign-off form (/supervision/patients/<id>/), and the form's POST.

Supervisors only for the list and the form (403 with a plain message for other staff); a
patient outside the reader's teams is 404, like everywhere else.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careloop.accounts.selectors import request_user
from careloop.accounts.types import Role
from careloop.audit.services import record_event, record_patient_reads
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import may_write, patient_visible_to
from careloop.core.errors import DomainError, NotFound, PermissionDenied
from careloop.core.http import client_ip
from careloop.monitoring.supervision.selectors import review_list_for, reviews_of
from careloop.monitoring.supervision.services import record_case_review
from careloop.monitoring.supervision.types import NOTE_MAX_CHARS, ReviewOutcome

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

FIELDS = ("note", "outcome")


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "supervision/forbidden.html", {"message": message}, status=403)


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    user: User = request_user(request)
    try:
        listing = review_list_for(user)
    except PermissionDenied as problem:
        return _forbidden(request, problem.message)
    if listing.patient_ids and user.service_id is not None:
        record_patient_reads(
            actor=user,
            action=AuditAction.SUPERVISION_LIST_VIEWED,
            service_id=user.service_id,
            patient_ids=listing.patient_ids,
            purpose=PurposeOfUse.CAREMGT,
            source_ip=client_ip(request),
        )
    return render(request, "supervision/review_list.html", {"listing": listing})


def case_reviews_context(
    request: HttpRequest,
    user: User,
    patient: Patient,
    *,
    errors: dict[str, str] | None = None,
    submitted: dict[str, str] | None = None,
    next_url: str = "",
) -> dict[str, Any]:
    """What supervision/_case_reviews.html needs. `patient` must come from a selector."""
    return {
        "patient": patient,
        "reviews": reviews_of(patient),
        "outcomes": ReviewOutcome.choices,
        "can_review": user.role == Role.SUPERVISOR and may_write(user, patient),
        "review_errors": errors or {},
        "review_submitted": submitted or {},
        "note_max": NOTE_MAX_CHARS,
        "next_url": next_url or request.get_full_path(),
    }


def _purpose(user: User) -> PurposeOfUse:
    """A supervisor reads for case management; the care team for treatment."""
    return PurposeOfUse.CAREMGT if user.role == Role.SUPERVISOR else PurposeOfUse.TREAT


def _visible_or_404(user: User, patient_id: uuid.UUID) -> Patient:
    """The care team's page: a patient sees their reviews in their own record's copy."""
    if not user.works_in_care_team:
        raise Http404
    try:
        return patient_visible_to(user, patient_id, _purpose(user))
    except NotFound:
        raise Http404 from None


def _page(
    request: HttpRequest, user: User, patient: Patient, *, status: int = 200, **panel: Any
) -> HttpResponse:
    record_event(
        actor=user,
        action=AuditAction.PATIENT_VIEWED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=_purpose(user),
        obj=("Patient", patient.id),
        source_ip=client_ip(request),
    )
    context = case_reviews_context(request, user, patient, **panel)
    return render(request, "supervision/patient.html", context, status=status)


@login_required
@require_GET
def patient_reviews(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    user: User = request_user(request)
    patient = _visible_or_404(user, patient_id)
    return _page(request, user, patient, next_url=request.path)


def _safe_next(request: HttpRequest, patient: Patient) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("supervision:patient", kwargs={"patient_id": patient.id})


def _field_errors(problem: DomainError) -> dict[str, str]:
    field, _sep, rest = problem.message.partition(": ")
    if field in FIELDS and rest:
        return {field: rest[:1].upper() + rest[1:] + "."}
    return {"form": problem.message}


@login_required
@require_POST
def add_review(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """POST a note and/or a sign-off decision. 404 outside the reader's teams; 403 for staff
    who are not the team's supervisor; 422 with the errors by their fields."""
    user: User = request_user(request)
    patient = _visible_or_404(user, patient_id)
    submitted = {name: request.POST.get(name, "").strip() for name in FIELDS}
    errors: dict[str, str] = {}
    status = 422
    if submitted["outcome"] and submitted["outcome"] not in ReviewOutcome.values:
        errors["outcome"] = _("Choose one of the decisions listed.")
    if not submitted["note"] and not submitted["outcome"]:
        errors["note"] = _("Write a note, or choose a decision to sign off with.")
    if len(submitted["note"]) > NOTE_MAX_CHARS:
        errors["note"] = _("Keep the note to %(max)s characters or fewer.") % {
            "max": NOTE_MAX_CHARS
        }
    if not errors:
        try:
            review = record_case_review(
                user, patient, note=submitted["note"], outcome=submitted["outcome"]
            )
        except NotFound:
            raise Http404 from None
        except DomainError as problem:
            errors, status = _field_errors(problem), problem.status_code
        else:
            if review.outcome:
                text = _("Review signed off: %(outcome)s.") % {
                    "outcome": ReviewOutcome(review.outcome).label
                }
            else:
                text = _("Your review note is saved.")
            messages.success(request, text)
            return redirect(_safe_next(request, patient))
    return _page(
        request,
        user,
        patient,
        status=status,
        errors=errors,
        submitted=submitted,
        next_url=_safe_next(request, patient),
    )
