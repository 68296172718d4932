"""The clinician's alert pages: the live inbox and list, one alert with its timeline and the
lifecycle forms, and raising an alert by hand."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.forms import ChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
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
from careloop.core import clock as core_clock
from careloop.core.errors import DomainError, NotFound
from careloop.core.http import client_ip
from careloop.safety import services
from careloop.safety.errors import IllegalTransition, SecondClinicianRequired
from careloop.safety.forms import ActionForm, RaiseAlertForm
from careloop.safety.models import Alert
from careloop.safety.presenters import (
    delivery_state_label,
    duration_words,
    flow_of,
    follow_up_lines,
    headline_of,
    reason_of,
    severity_label,
    status_label,
    target_label,
)
from careloop.safety.selectors import (
    EscalationClock,
    InboxItem,
    NextStep,
    alert_visible_to,
    alerts_visible_to,
    escalation_clock_of,
    next_steps_of,
    open_reviews_for_caseload,
    person_name,
    recent_inbox,
    timeline_of,
)
from careloop.safety.services.audit import audit_alert
from careloop.safety.types import AlertOutcome, AlertStatus, Severity

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


def _labels() -> str:
    """The words the live inbox script writes for the values the inbox API returns (JSON)."""
    return json.dumps(
        {
            "severity": {value: severity_label(value) for value in Severity},
            "status": {value: status_label(value) for value in AlertStatus},
            "respond": gettext("Please respond"),
            "asked": gettext("You were asked to respond"),
            "step": gettext("escalation step"),
            "acknowledged": gettext("Taken on: no response needed from you"),
            "hidden": gettext("No longer visible to you"),
            "announce_one": gettext("New alert: %(what)s"),
            "announce_many": gettext("%(n)s new alerts need a response."),
            "up_to_date": gettext("Up to date. New alerts appear here without reloading."),
            "lost": gettext("Connection lost: retrying. Reload the page if this persists."),
            "gap": gettext("Some updates could not be loaded: reload the page to see them all."),
            "paused": gettext(
                "Live updates paused after a long time without activity: they start again when "
                "you use the page."
            ),
            "ended": gettext("Your session has ended: sign in again to see new alerts."),
        }
    )


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    user = clinician_or_404(request)
    alerts = list(alerts_visible_to(user).select_related("acknowledged_by")[:200])
    inbox = recent_inbox(user)
    inbox_alerts = [item.alert for item in inbox.items if item.alert is not None]
    _audit_list(request, user, [*alerts, *inbox_alerts])
    next_steps = next_steps_of(alerts)
    now = core_clock.now()
    context = {
        "alerts": [_alert_row(alert, next_steps.get(alert.id), now) for alert in alerts],
        "inbox": [
            InboxRow(item, reason_of(item.alert), status_label(item.alert.status))
            if item.alert
            else InboxRow(item, "", "")
            for item in inbox.items
        ],
        "last_seq": inbox.last_seq,
        "poll_ms": INBOX_POLL_MILLISECONDS,
        # Polls are not activity: the script stops after this long without the clinician touching
        # the page, so an unattended screen still reaches the staff idle sign-out (docs).
        "idle_ms": settings.SESSION_IDLE_SECONDS_STAFF * 1000 // 2,
        "labels": _labels(),
        "open_reviews": open_reviews_for_caseload(user).count(),
    }
    return render(request, "safety/alert_list.html", context)


@dataclass(frozen=True)
class InboxRow:
    item: InboxItem
    reason: str
    status: str


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    reason: str
    status: str
    next_step: NextStep | None
    next_target: str
    next_in: str  # "" once due
    taken_by: str


def _alert_row(alert: Alert, next_step: NextStep | None, now: datetime) -> AlertRow:
    due = next_step.due_at if next_step else None
    return AlertRow(
        alert=alert,
        reason=reason_of(alert),
        status=status_label(alert.status),
        next_step=next_step,
        next_target=target_label(next_step.target) if next_step else "",
        next_in=duration_words((due - now).total_seconds()) if due and due > now else "",
        taken_by=person_name(alert.acknowledged_by),
    )


@login_required
@require_GET
def alert_detail(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    user = clinician_or_404(request)
    return _detail_page(request, user, _visible(user, alert_id))


def _detail_page(
    request: HttpRequest,
    user: User,
    alert: Alert,
    *,
    action_form: ActionForm | None = None,
    error: str = "",
    error_detail: str = "",
    status: int = 200,
) -> HttpResponse:
    """The alert page; after a refused step it is shown again with the error and what was typed."""
    audit_alert(AuditAction.ALERTS_VIEWED, alert, actor=user, source_ip=client_ip(request))
    writable = may_write(user, alert.patient)
    flow = flow_of(alert)
    current = next((step.key for step in flow if step.state == "current"), "")
    second_needed = (
        current == "close"
        and alert.outcome == AlertOutcome.FALSE_POSITIVE
        and alert.actioned_by_id == user.id
    )
    timeline = timeline_of(alert)
    clock = escalation_clock_of(alert)
    context = {
        "alert": alert,
        "headline": headline_of(alert),
        "reason": reason_of(alert),
        "severity": severity_label(alert.severity),
        "status": status_label(alert.status),
        "follow_up": follow_up_lines(alert),  # e.g. the C-SSRS screener offered (HZ-021)
        "clock": clock,
        "told": [(step, target_label(step.target)) for step in clock.told],
        "next_target": target_label(clock.next_step.target) if clock.next_step else "",
        **_clock_words(clock),
        "steps": [(step, target_label(step.target)) for step in timeline.steps],
        "deliveries": [(d, delivery_state_label(d.state)) for d in timeline.deliveries],
        "flow": flow,
        "current": current,
        "action_form": action_form or _action_form(),
        "error": error,
        "error_detail": error_detail,
        # Emergency access sees the alert but cannot take it on (HZ-023): no buttons, a note.
        "read_only": not writable,
        "can_acknowledge": writable and current == "acknowledge",
        "can_action": writable and current == "action",
        "can_close": writable and current == "close" and not second_needed,
        "second_needed": writable and second_needed,
    }
    return render(request, "safety/alert_detail.html", context, status=status)


def _back(alert: Alert) -> HttpResponseRedirect:
    return redirect("safety:alert-detail", alert_id=alert.id)


def _action_form(data: QueryDict | None = None) -> ActionForm:
    """The outcome starts unchosen, so "what was done" is always a deliberate choice."""
    form = ActionForm(data)
    field = form.fields["outcome"]
    assert isinstance(field, ChoiceField)
    field.choices = [("", gettext("Choose what was done")), *AlertOutcome.choices]
    return form


def _clock_words(clock: EscalationClock) -> dict[str, str]:
    """The clock's durations as the page first shows them (alert_clock.js then keeps them true)."""
    now = core_clock.now()
    due = clock.next_step.due_at if clock.next_step else None
    return {
        "raised_ago": duration_words((now - clock.raised_at).total_seconds()),
        "next_in": duration_words((due - now).total_seconds()) if due and due > now else "",
        "stopped_after": duration_words((clock.stopped_at - clock.raised_at).total_seconds())
        if clock.stopped_at
        else "",
    }


def _refused(request: HttpRequest, user: User, alert: Alert, error: DomainError) -> HttpResponse:
    """A step the service refused (someone else moved the alert on, a rule): say why in plain
    words, on the alert as it now stands (409, so nothing mistakes it for success)."""
    alert = _visible(user, alert.id)
    if isinstance(error, IllegalTransition):
        words = gettext(
            "That step is not possible now: this alert is “%(status)s”. Someone may have moved "
            "it on since you opened the page; it is shown below as it stands now."
        ) % {"status": status_label(alert.status)}
    elif isinstance(error, SecondClinicianRequired):
        words = gettext(
            "A false positive is closed by a second clinician: ask a colleague in the team to "
            "close it."
        )
    else:
        words = error.message[:1].upper() + error.message[1:] + "."
    return _detail_page(request, user, alert, error=words, error_detail=error.message, status=409)


@login_required
@require_POST
def acknowledge(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    user = clinician_or_404(request)
    alert = _to_change(user, alert_id)
    try:
        services.acknowledge_alert(alert, actor=user)
    except DomainError as error:
        return _refused(request, user, alert, error)
    messages.success(
        request, gettext("Acknowledged: escalation has stopped. Next: record what was done.")
    )
    return _back(alert)


@login_required
@require_POST
def record_action(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    user = clinician_or_404(request)
    alert = _to_change(user, alert_id)
    form = _action_form(request.POST)
    if not form.is_valid():
        # Shown again with what was typed (a note is never lost to a missing choice).
        return _detail_page(
            request,
            user,
            alert,
            action_form=form,
            error=gettext("Choose what was done and write a note, then record it again."),
            status=400,
        )
    try:
        services.record_alert_action(
            alert, actor=user, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
        )
    except DomainError as error:
        return _refused(request, user, alert, error)
    messages.success(request, gettext("Action recorded. Next: close the alert."))
    return _back(alert)


@login_required
@require_POST
def close(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    user = clinician_or_404(request)
    alert = _to_change(user, alert_id)
    try:
        services.close_alert(alert, actor=user)
    except DomainError as error:
        return _refused(request, user, alert, error)
    messages.success(request, gettext("Alert closed."))
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
            messages.success(request, gettext("Alert raised: the escalation chain has started."))
            return HttpResponseRedirect(reverse("safety:alert-detail", args=[alert.id]))
    return render(request, "safety/raise_alert.html", {"form": form}, status=200)
