"""Staff pages of the ai domain (#15): the model registry and its cards, the kill switch, the
clinician's decision on a suggestion, "check for suggestions now", and the care team's review
tasks. Server-rendered, no JavaScript needed. Reads go through ai's selectors (outsiders get
404); writes through its services (actor explicit, audited there).

The suggestions panel on the patient page is `{% ai_suggestions_panel patient %}`
(templatetags/ai_tags.py); its forms post here.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.accounts.selectors import request_user
from careloop.accounts.types import CARE_TEAM_ROLES, STAFF_ROLES, Role
from careloop.ai.cards import METRIC_WORDS, GroupRow, ModelCard
from careloop.ai.fairness.gate import GatePolicy
from careloop.ai.plain_words import group_name, plain
from careloop.ai.report import audit_html
from careloop.ai.selectors.oversight import (
    review_task_for,
    review_tasks_for,
    suggestion_for,
)
from careloop.ai.selectors.registry import (
    active_version,
    card_for,
    model_version_for,
    model_versions_for,
    switch_state,
)
from careloop.ai.services.registry import set_model_switch
from careloop.ai.services.reviews import answer_review
from careloop.ai.services.suggestions import decide_suggestion, refresh_suggestions
from careloop.ai.types import (
    NOTE_MAX_CHARS,
    REASONS_FOR,
    Decision,
    ModelKind,
    ModelStatus,
    ReviewStatus,
)
from careloop.care.selectors import patient_visible_to
from careloop.core.errors import DomainError, NotFound

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.ai.models import ModelVersion

SWITCH_REASON_MAX = 300


def _plain_card(card: ModelCard) -> ModelCard:
    """The card with its group names and gate lines in words (for the page)."""
    per_group = {
        dimension: [GroupRow(group_name(dimension, row.group), row.n, row.cells) for row in rows]
        for dimension, rows in card.per_group.items()
    }
    return replace(card, per_group=per_group, gate=[plain(line) for line in card.gate])


def _staff(request: HttpRequest) -> User:
    """The signed-in staff member of a service; anyone else gets 404 (not 403: the pages'
    existence is nobody else's business)."""
    user: User = request_user(request)
    if user.role not in STAFF_ROLES or user.service_id is None:
        raise Http404
    return user


def _care_team(request: HttpRequest) -> User:
    user = _staff(request)
    if user.role not in CARE_TEAM_ROLES:
        raise Http404
    return user


def _message_of(problem: DomainError) -> tuple[str, str]:
    """(field, sentence) from a service's "<field>: ..." message."""
    field, sep, rest = problem.message.partition(": ")
    if sep and rest and " " not in field:
        return field, rest[:1].upper() + rest[1:].rstrip(".") + "."
    return "form", problem.message


def _patient_page(patient_id: uuid.UUID) -> str:
    return reverse("monitoring:patient", kwargs={"patient_id": patient_id}) + "#ai-suggestions"


def _safe_next(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


# ------------------------------------------------------------------ registry, cards, switch


def _switch_context(user: User) -> dict[str, Any]:
    assert user.service_id is not None
    state = switch_state(user.service_id, ModelKind.EARLY_WARNING)
    return {
        "switch": state,
        "model_off": bool(state and state.is_off),
        "early_warning_active": active_version(user.service_id, ModelKind.EARLY_WARNING),
        "can_switch": user.role == Role.SERVICE_ADMIN,
        "switch_reason_max": SWITCH_REASON_MAX,
    }


def _registry_rows(user: User) -> list[dict[str, Any]]:
    assert user.service_id is not None
    active_ids = {
        getattr(active_version(user.service_id, kind), "id", None) for kind in ModelKind.values
    }
    return [
        {
            "version": version,
            "kind_label": ModelKind(version.kind).label,
            "status_label": ModelStatus(version.status).label,
            "in_use": version.id in active_ids,
            "scope": _("Every service") if version.service_id is None else _("This service"),
            "trained_on": version.training_data,
        }
        for version in model_versions_for(user)
    ]


@login_required
@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    """GET /ai/: every model version of the service (and the global ones) and the kill switch."""
    user = _staff(request)
    context = {"rows": _registry_rows(user), **_switch_context(user)}
    return render(request, "ai/registry.html", context)


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """POST /ai/switch: the service admin switches the early-warning model off (reason
    required) or back on. Others: 404. Refused input comes back on the registry page (422)."""
    user = _staff(request)
    if user.role != Role.SERVICE_ADMIN:
        raise Http404
    off = request.POST.get("state") == "off"
    reason = request.POST.get("reason", "")
    errors: dict[str, str] = {}
    if off and not reason.strip():
        errors["reason"] = _("Say why you are switching the model off.")
    elif len(reason) > SWITCH_REASON_MAX:
        errors["reason"] = _("Keep the reason to %(max)s characters or fewer.") % {
            "max": SWITCH_REASON_MAX
        }
    if not errors:
        try:
            set_model_switch(user, ModelKind.EARLY_WARNING, off=off, reason=reason)
        except DomainError as problem:
            field, words = _message_of(problem)
            errors[field if field == "reason" else "form"] = words
        else:
            messages.success(
                request,
                _("The early-warning model is off now. Suggestions come from the rules only.")
                if off
                else _("The early-warning model is switched on again."),
            )
            return redirect(reverse("ai:registry") + "#switch")
    context = {
        "rows": _registry_rows(user),
        **_switch_context(user),
        "switch_errors": errors,
        "switch_submitted": {"reason": reason},
    }
    return render(request, "ai/registry.html", context, status=422)


def _version(user: User, version_id: uuid.UUID) -> ModelVersion:
    try:
        return model_version_for(user, version_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def model_card(request: HttpRequest, version_id: uuid.UUID) -> HttpResponse:
    """GET /ai/models/<id>/: the model card, generated from the registry."""
    user = _staff(request)
    version = _version(user, version_id)
    card = _plain_card(card_for(user, version.id))
    context = {
        "version": version,
        "card": card,
        "metric_words": list(METRIC_WORDS.values()),
        "groups": [(plain(name), rows) for name, rows in card.per_group.items()],
        "synthetic": "synthetic" in f"{version.training_data} {version.provenance}".lower(),
        "has_audit": bool(version.per_group),
        "in_use": version.id == getattr(active_version(user.service_id, version.kind), "id", None),  # type: ignore[arg-type]
    }
    return render(request, "ai/card.html", context)


@login_required
@require_GET
def audit_report(request: HttpRequest, version_id: uuid.UUID) -> HttpResponse:
    """GET /ai/models/<id>/audit: the fairness audit report (the same HTML as `careloop ai
    audit --html`), built from the figures stored with the version; 404 when none are."""
    user = _staff(request)
    version = _version(user, version_id)
    if not version.per_group:
        raise Http404
    policy = GatePolicy()
    html = audit_html(
        {
            "model": {
                "kind": version.kind,
                "version": version.version,
                "status": version.status,
            },
            "n_held_out": len(version.held_out or []),
            "policy": {"metric": policy.metric, "max_gap": policy.max_gap},
            "metrics": version.metrics,
            "calibration": version.calibration,
            "per_group": version.per_group,
            "gate": version.gate or {},
            "blocked": any(d.get("blocked") for d in (version.gate or {}).values()),
        }
    )
    # A report file (the same as `careloop ai audit --html`, with its own inline styles), so it is
    # downloaded and opened as a file rather than shown under the app's CSP, which would strip
    # its styles.
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    name = f"careloop-{version.kind}-{version.version}-fairness-audit.html"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ------------------------------------------------------------------ suggestions


def _decision_fields(request: HttpRequest) -> tuple[str, str, str]:
    """The form sends one radio "choice" = "<decision>:<reason>" (so the reasons offered are
    those of the decision, without JavaScript) and an optional note."""
    decision, _sep, reason = request.POST.get("choice", "").partition(":")
    return decision, reason, request.POST.get("note", "")


@login_required
@require_POST
def decide(request: HttpRequest, suggestion_id: uuid.UUID) -> HttpResponse:
    """POST /ai/suggestions/<id>/decide: accept, override or defer with a reason code and an
    optional note. 404 for anyone outside the care team; 403 for read-only (emergency) access;
    422 with the errors by field on the panel's own page."""
    from careloop.ai.templatetags.ai_tags import suggestions_context

    user = _staff(request)
    try:
        suggestion = suggestion_for(user, suggestion_id)
        patient = patient_visible_to(user, suggestion.patient_id)
    except NotFound:
        raise Http404 from None
    decision, reason, note = _decision_fields(request)
    errors: dict[str, str] = {}
    if decision not in Decision.values or reason not in REASONS_FOR.get(decision, ()):
        errors["choice"] = _("Choose accept, override or defer, with the reason that fits.")
    if len(note) > NOTE_MAX_CHARS:
        errors["note"] = _("Keep the note to %(max)s characters or fewer.") % {
            "max": NOTE_MAX_CHARS
        }
    status = 422
    if not errors:
        try:
            decided = decide_suggestion(user, suggestion, decision, reason, note)
        except NotFound:
            raise Http404 from None
        except DomainError as problem:
            field, words = _message_of(problem)
            errors["note" if field == "note" else "choice" if field == "reason" else "form"] = words
            status = problem.status_code
        else:
            messages.success(
                request,
                _("Your decision is recorded: %(decision)s.")
                % {"decision": decided.get_status_display().lower()},
            )
            return redirect(_safe_next(request, _patient_page(patient.id)))
    context = suggestions_context(
        request,
        user,
        patient,
        errors={str(suggestion.id): errors},
        submitted={str(suggestion.id): {"choice": request.POST.get("choice", ""), "note": note}},
    )
    context["back_url"] = _patient_page(patient.id)
    return render(request, "ai/decide.html", context, status=status)


@login_required
@require_POST
def check_now(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """POST /ai/patients/<id>/check: make the suggestions due now (the worker does this hourly;
    this is the clinician's "check now"). 404 outside the care team."""
    user = _care_team(request)
    try:
        patient = patient_visible_to(user, patient_id)
        refresh_suggestions(patient, actor=user)
    except NotFound:
        raise Http404 from None
    except DomainError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, _("Checked for suggestions due now."))
    return redirect(_patient_page(patient_id))


# ------------------------------------------------------------------ review tasks


@login_required
@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    """GET /ai/reviews/: patients' requests for a person to look again at a decision, open
    first by deadline (overdue highlighted); ?answered=1 adds the answered ones."""
    user = _care_team(request)
    include_answered = request.GET.get("answered") == "1"
    tasks = review_tasks_for(user, include_answered=include_answered)
    return render(
        request,
        "ai/reviews.html",
        {
            "tasks": tasks,
            "include_answered": include_answered,
            "overdue_count": sum(1 for task in tasks if task.overdue),
        },
    )


def _answer_errors(answer: str) -> dict[str, str]:
    if not answer.strip():
        return {"answer": _("Write your answer to the patient.")}
    if len(answer) > NOTE_MAX_CHARS:
        return {
            "answer": _("Keep the answer to %(max)s characters or fewer.") % {"max": NOTE_MAX_CHARS}
        }
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def review_answer(request: HttpRequest, task_id: uuid.UUID) -> HttpResponse:
    """GET/POST /ai/reviews/<id>/: the request, the decision it is about, and the answer form
    (the answer is shown to the patient on their decisions page)."""
    user = _care_team(request)
    try:
        task = review_task_for(user, task_id)
    except NotFound:
        raise Http404 from None
    view = next(
        (row for row in review_tasks_for(user, include_answered=True) if row.id == task.id), None
    )
    if view is None:
        raise Http404
    answer = request.POST.get("answer", "") if request.method == "POST" else ""
    errors = _answer_errors(answer) if request.method == "POST" else {}
    if request.method == "POST" and not errors:
        try:
            answer_review(user, task, answer)
        except NotFound:
            raise Http404 from None
        except DomainError as problem:
            field, words = _message_of(problem)
            errors["answer" if field == "answer" else "form"] = words
        else:
            messages.success(
                request, _("Your answer is sent. The patient sees it with the decision.")
            )
            return redirect("ai:reviews")
    context = {
        "task": view,
        "open": task.status == ReviewStatus.OPEN,
        "errors": errors,
        "answer": answer,
        "answer_max": NOTE_MAX_CHARS,
        "patient_url": _patient_page(task.patient_id),
    }
    return render(request, "ai/review_answer.html", context, status=422 if errors else 200)
