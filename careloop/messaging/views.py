"""Pages: the patient's conversation with their care team, the team's list of conversations and
a conversation seen from the team's side. Works without JavaScript; outsiders get 404."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from careloop.accounts.selectors import request_user
from careloop.core.errors import DomainError, NotFound
from careloop.core.http import aware_datetime_param, client_ip
from careloop.messaging import selectors, services
from careloop.messaging.models import Message
from careloop.safety.planning.selectors import crisis_card_for
from careloop.safety.text import ALERT_LEVELS, Level

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request_user(request)


def _sent_level(request: HttpRequest, shown: list[Message]) -> str:
    """The screening level of the message just sent (?sent=<id>), or "" if none is named."""
    sent = request.GET.get("sent", "")
    return next((m.screen_level for m in shown if str(m.id) == sent), "")


def _thread_page(
    request: HttpRequest,
    user: User,
    patient: Patient,
    *,
    is_patient: bool,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    shown = selectors.messages_of(
        patient, before=aware_datetime_param(request, "before"), limit=PAGE_SIZE
    )
    if request.method == "GET":
        services.mark_read(user, patient, source_ip=client_ip(request))
        if not is_patient:
            services.record_thread_viewed(user, patient, shown, source_ip=client_ip(request))
    context: dict[str, Any] = {
        "patient": patient,
        "thread": shown,
        "is_patient": is_patient,
        "older_before": shown[0].sent_at.isoformat() if len(shown) == PAGE_SIZE else "",
        # Crisis help after a worrying message, and after one that could not be screened.
        "concern": is_patient and _sent_level(request, shown) in ALERT_LEVELS,
        "unscreened": is_patient and _sent_level(request, shown) == Level.NOT_SCREENED.value,
        "card": crisis_card_for(patient) if is_patient else None,
        "client_id": uuid.uuid4(),
        "error": error,
        "submitted": request.POST if error else {},
        "max_chars": services.MAX_BODY_CHARS,
        "action": reverse("messaging:mine")
        if is_patient
        else reverse("messaging:thread", args=[patient.id]),
    }
    return render(request, "messaging/thread.html", context, status=status)


def _send(request: HttpRequest, user: User, patient: Patient, *, is_patient: bool) -> HttpResponse:
    try:
        message, _created = services.send_message(
            user,
            patient,
            body=request.POST.get("body", ""),
            client_id=uuid.UUID(request.POST.get("client_id", "")),
        )
    except ValueError:
        error, status = _("The form was incomplete. Please try again."), 422
    except DomainError as problem:
        # 403 under emergency access (read-only), 422 for a message that cannot be sent
        error, status = problem.message, 403 if problem.status_code == 403 else 422
    else:
        flash.success(request, _("Your message is sent."))
        target = (
            reverse("messaging:mine")
            if is_patient
            else reverse("messaging:thread", args=[patient.id])
        )
        return redirect(f"{target}?sent={message.id}")
    return _thread_page(request, user, patient, is_patient=is_patient, error=error, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """A patient's conversation with their care team; for staff, their teams' conversations."""
    user = _user(request)
    if user.works_in_care_team and request.method == "GET":
        return render(request, "messaging/threads.html", {"rows": selectors.team_threads(user)})
    try:
        patient = selectors.own_conversation(user)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        return _send(request, user, patient, is_patient=True)
    return _thread_page(request, user, patient, is_patient=True)


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """A conversation from the care team's side."""
    user = _user(request)
    try:
        patient = selectors.team_conversation(user, patient_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        return _send(request, user, patient, is_patient=False)
    return _thread_page(request, user, patient, is_patient=False)
