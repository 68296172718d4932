"""Care pages: the stepped-care level of a treatment episode (the form on the clinician's
patient page posts here; without JavaScript a refused form comes back on its own page)."""

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
from django.views.decorators.http import require_POST

from careloop.accounts.selectors import request_user
from careloop.accounts.types import Role
from careloop.care.selectors import (
    episode_for_step_change,
    episode_of_patient,
    may_write,
    patient_visible_to,
    stepped_care_of,
)
from careloop.care.services import change_step
from careloop.care.types import REASON_MAX_CHARS, CareStep
from careloop.core.errors import DomainError, NotFound

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

FIELDS = ("step", "reason")


def may_change_step(user: User, patient: Patient) -> bool:
    """Whether to offer the form: a clinician or supervisor who may write this record (the
    service decides again)."""
    return user.role in (Role.CLINICIAN, Role.SUPERVISOR) and may_write(user, patient)


def _patient_page_url(patient: Patient) -> str:
    return reverse("monitoring:patient", kwargs={"patient_id": patient.id})


def _safe_next(request: HttpRequest, patient: Patient) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return _patient_page_url(patient)


def stepped_care_context(
    request: HttpRequest,
    user: User,
    patient: Patient,
    *,
    errors: dict[str, str] | None = None,
    submitted: dict[str, str] | None = None,
    next_url: str = "",
) -> dict[str, Any]:
    """What care/_stepped_care.html needs. `patient` must come from a selector."""
    stepped = stepped_care_of(patient)
    return {
        "patient": patient,
        "stepped": stepped,
        "steps": CareStep.choices,
        "can_change_step": stepped.episode is not None and may_change_step(user, patient),
        "step_errors": errors or {},
        "step_submitted": submitted or {},
        "reason_max": REASON_MAX_CHARS,
        "next_url": next_url or request.get_full_path(),
    }


def _field_errors(problem: DomainError) -> dict[str, str]:
    """The service says which field a problem is about as "<field>: ..."."""
    field, _sep, rest = problem.message.partition(": ")
    if field in FIELDS and rest:
        return {field: rest[:1].upper() + rest[1:] + "."}
    return {"form": problem.message}


@login_required
@require_POST
def change_episode_step(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    """POST /care/episodes/<id>/step: step (1-4) and reason. 404 for anyone who may not see
    the patient; 403 for emergency (read-only) access; 422 with the errors by their fields."""
    user: User = request_user(request)
    try:
        patient_id, _episode_id = episode_for_step_change(user, episode_id)
        patient = patient_visible_to(user, patient_id)
        episode = episode_of_patient(patient, episode_id)
    except NotFound:
        raise Http404 from None
    submitted = {name: request.POST.get(name, "") for name in FIELDS}
    errors: dict[str, str] = {}
    if submitted["step"] not in {str(value) for value in CareStep.values}:
        errors["step"] = _("Choose one of the four steps.")
    if not submitted["reason"].strip():
        errors["reason"] = _("Say why the step changes, in a sentence or two.")
    elif len(submitted["reason"]) > REASON_MAX_CHARS:
        errors["reason"] = _("Keep the reason to %(max)s characters or fewer.") % {
            "max": REASON_MAX_CHARS
        }
    status = 422
    if not errors:
        try:
            change = change_step(user, episode, int(submitted["step"]), submitted["reason"])
        except NotFound:
            raise Http404 from None
        except DomainError as problem:
            errors, status = _field_errors(problem), problem.status_code
        else:
            messages.success(
                request,
                _("The step is now %(step)s.") % {"step": change.to_step.label},
            )
            return redirect(_safe_next(request, patient))
    context = stepped_care_context(
        request,
        user,
        patient,
        errors=errors,
        submitted=submitted,
        next_url=_safe_next(request, patient),
    )
    context["back_url"] = context["next_url"]
    return render(request, "care/step_change.html", context, status=status)
