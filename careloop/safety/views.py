"""The clinician's alert pages: the live inbox and list, one alert with its timeline and the
lifecycle forms, and raising an alert by hand."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.accounts.selectors import signed_in_user
from careloop.audit.services import record_patient_reads
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import (
    may_write,
    patient_visible_to,
    patients_visible_to,
    require_write,
)
from careloop.core.errors import DomainError, NotFound
from careloop.core.http import client_ip
from careloop.safety import services
from careloop.safety.forms import ActionForm, RaiseAlertForm
from careloop.safety.models import TRANSITIONS, Alert
from careloop.safety.presenters import follow_up_lines, reason_of
from careloop.safety.selectors import (
    alert_visible_to,
    alerts_visible_to,
    open_reviews_for_caseload,
    recent_inbox,
    timeline_of,
)
from careloop.safety.services.audit import audit_alert
from careloop.safety.types import AlertStatus

if TYPE_CHECKING:
    from careloop.accounts.models import User

INBOX_POLL_MILLISECONDS = 5000


def clinician_or_404(request: HttpRequest) -> User:
    """The signed-in care-team member, or 404 (patients and admins do not see safety pages)."""
    user = signed_in_user(request)
    if user is None or not user.works_in_care_team or user.service_id is None:
        raise Http404
    return user


def _visible(user: User, alert_id: uuid.UUID) -> Alert:
    try:
        return alert_visible_to(user, alert_id)
    except NotFound:
        raise Http404 from None


def _to_change(user: User, alert_id: uuid.UUID) -> Alert:
    """An alert the user may change: emergency access sees it but is refused (403, read-only)."""
    alert = _visible(user, alert_id)
    try:
        require_write(user, alert.patient)
    except DomainError as refusal:
        raise Forbidden(refusal.message) from None
    return alert


def _audit_list(request: HttpRequest, user: User, alerts: list[Alert]) -> None:
    if alerts and user.service_id is not None:
        record_patient_reads(
            actor=user,
            action=AuditAction.ALERTS_VIEWED,
            service_id=user.service_id,
            patient_ids=sorted({alert.patient_id for alert in alerts}),
            purpose=PurposeOfUse.TREAT,
            source_ip=client_ip(request),
        )


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    user = clinician_or_404(request)
    alerts = list(alerts_visible_to(user)[:200])
    inbox = recent_inbox(user)
    inbox_alerts = [item.alert for item in inbox.items if item.alert is not None]
    _audit_list(request, user, [*alerts, *inbox_alerts])
    context = {
        "alerts": [(alert, reason_of(alert)) for alert in alerts],
        "inbox": [(item, reason_of(item.alert) if item.alert else "") for item in inbox.items],
        "last_seq": inbox.last_seq,
        "poll_ms": INBOX_POLL_MILLISECONDS,
        "open_reviews": open_reviews_for_caseload(user).count(),
    }
    return render(request, "safety/alert_list.html", context)


@login_required
@require_GET
def alert_detail(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    user = clinician_or_404(request)
    alert = _visible(user, alert_id)
    audit_alert(AuditAction.ALERTS_VIEWED, alert, actor=user, source_ip=client_ip(request))
    context = {
        "alert": alert,
        "reason": reason_of(alert),
        "follow_up": follow_up_lines(alert),  # e.g. the C-SSRS screener offered (HZ-021)
        "timeline": timeline_of(alert),
        "action_form": ActionForm(),
        # Emergency access sees the alert but cannot take it on (HZ-023): no buttons, a note.
        "read_only": not (writable := may_write(user, alert.patient)),
        "can_acknowledge": writable and AlertStatus.ACKNOWLEDGED in _next(alert),
        "can_action": writable and AlertStatus.ACTIONED in _next(alert),
        "can_close": writable and AlertStatus.CLOSED in _next(alert),
    }
    return render(request, "safety/alert_detail.html", context)


def _next(alert: Alert) -> frozenset[str]:
    return TRANSITIONS[alert.status]


def _back(alert: Alert) -> HttpResponseRedirect:
    return redirect("safety:alert-detail", alert_id=alert.id)


@login_required
@require_POST
def acknowledge(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    user = clinician_or_404(request)
    alert = _to_change(user, alert_id)
    try:
        services.acknowledge_alert(alert, actor=user)
        messages.success(request, "Acknowledged: escalation has stopped.")
    except DomainError as error:
        messages.error(request, error.message)
    return _back(alert)


@login_required
@require_POST
def record_action(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    user = clinician_or_404(request)
    alert = _to_change(user, alert_id)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what was done and write a note.")
        return _back(alert)
    try:
        services.record_alert_action(
            alert, actor=user, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
        )
        messages.success(request, "Action recorded.")
    except DomainError as error:
        messages.error(request, error.message)
    return _back(alert)


@login_required
@require_POST
def close(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    user = clinician_or_404(request)
    alert = _to_change(user, alert_id)
    try:
        services.close_alert(alert, actor=user)
        messages.success(request, "Alert closed.")
    except DomainError as error:
        messages.error(request, error.message)
    return _back(alert)


@login_required
@require_http_methods(["GET", "POST"])
def raise_alert(request: HttpRequest) -> HttpResponse:
    user = clinician_or_404(request)
    patients = list(patients_visible_to(user).order_by("display_name")[:1000])
    form = RaiseAlertForm(
        request.POST or None,
        patients=patients,
        initial={"patient": request.GET.get("patient", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            patient = patient_visible_to(user, uuid.UUID(form.cleaned_data["patient"]))
            alert, _ = services.raise_alert_by_clinician(
                patient,
                actor=user,
                severity=form.cleaned_data["severity"],
                reason=form.cleaned_data["reason"],
                client_id=form.cleaned_data["client_id"],
            )
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Alert raised: the escalation chain has started.")
            return HttpResponseRedirect(reverse("safety:alert-detail", args=[alert.id]))
    return render(request, "safety/raise_alert.html", {"form": form}, status=200)
