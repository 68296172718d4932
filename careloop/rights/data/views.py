"""The patient's own pages: everything about me (readable), its download, and erasure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from careloop.accounts.models import User
from careloop.assessments.meaning import plain_meaning
from careloop.assessments.models import Assessment
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.models import Patient
from careloop.care.selectors import own_patient_record
from careloop.core.errors import NotFound
from careloop.core.http import client_ip
from careloop.journal.models import JournalEntry
from careloop.monitoring.models import CheckIn, MeasurementPlan
from careloop.notifications.models import Notification
from careloop.privacy.models import ConsentDecision
from careloop.rights.data import erasure
from careloop.rights.data.export import credentials_of, export_patient
from careloop.rights.data.retention import Disposition, held_rules, patient_rules
from careloop.safety.models import Alert
from careloop.safety.planning.models import SafetyPlan
from careloop.safety.planning.plan_content import sections_with_items

SHOWN = 50  # newest rows per section on the page; the download holds every row


def _patient_or_404(request: HttpRequest) -> tuple[User, Patient]:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    try:
        patient = own_patient_record(user)
    except NotFound:
        raise Http404 from None
    if patient.erased_at is not None:
        raise Http404
    return user, patient


@dataclass(frozen=True)
class Section:
    title: str
    total: int
    rows: list[Any]


def _section(title: str, rows: Any) -> Section:
    return Section(title=title, total=rows.count(), rows=list(rows[:SHOWN]))


def _results(patient: Patient) -> Section:
    rows = Assessment.objects.filter(patient=patient).order_by("-completed_at")
    section = _section("My questionnaire results", rows)
    for assessment in section.rows:
        assessment.meaning = plain_meaning(assessment.instrument_id, assessment.band)
    return section


def _safety_plan(patient: Patient) -> list[tuple[str, list[str]]]:
    plan = SafetyPlan.objects.filter(patient=patient).first()
    version = plan.versions.order_by("-number").first() if plan else None
    if version is None:
        return []
    return [
        (s.title, [f"{e.get('text', '')} {e.get('phone', '')}".strip() for e in entries])
        for s, entries in sections_with_items(version.content)
        if entries
    ]


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    user, patient = _patient_or_404(request)
    record_event(
        actor=user,
        action=AuditAction.DATA_VIEWED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=PurposeOfUse.PATRQT,
        obj=("Patient", patient.id),
        source_ip=client_ip(request),
    )
    context = {
        "patient": patient,
        "account": user,
        "results": _results(patient),
        "checkins": _section(
            "My check-ins", CheckIn.objects.filter(patient=patient).order_by("-completed_at")
        ),
        "journal": _section(
            "My journal", JournalEntry.objects.filter(patient=patient).order_by("-created_at")
        ),
        "notifications": _section(
            "Messages and reminders sent to me",
            Notification.objects.filter(recipient=user).order_by("-created_at"),
        ),
        "plans": MeasurementPlan.objects.filter(patient=patient).prefetch_related("items"),
        "safety_plan": _safety_plan(patient),
        "alerts": _section(
            "Safety alerts about me", Alert.objects.filter(patient=patient).order_by("-raised_at")
        ),
        "consents": ConsentDecision.objects.filter(patient=patient).order_by("-decided_at"),
        "credentials": credentials_of(user),
        "access_log_url": reverse("rights:access-log"),
        "consent_url": reverse("rights:privacy"),
        "shown": SHOWN,
    }
    return render(request, "rights/data_page.html", context)


@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    user, patient = _patient_or_404(request)
    bundle = export_patient(user, patient, source_ip=client_ip(request))
    response = HttpResponse(
        json.dumps(bundle, ensure_ascii=False, indent=1),
        content_type="application/fhir+json; charset=utf-8",
    )
    stamp = str(bundle["timestamp"])[:10]
    response["Content-Disposition"] = f'attachment; filename="careloop-my-record-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


def erasure_outline(patient: Patient) -> dict[str, Any]:
    """What erasure would remove and what it would keep (with why and for how long)."""
    held = erasure.held_counts(patient)
    held_by_model = {rule.model: rule for rule in held_rules()}
    kept = [
        {"rule": held_by_model[label], "count": count}
        for label, count in held.items()
        if count and label in held_by_model
    ]
    if held.get("assessments.Assessment"):
        kept.append(
            {
                "rule": next(r for r in patient_rules() if r.model == "assessments.Assessment"),
                "count": held["assessments.Assessment"],
                "evidence": True,
            }
        )
    erased = [
        rule
        for rule in patient_rules()
        if rule.disposition in (Disposition.ERASE, Disposition.SCRUB, Disposition.TOMBSTONE)
    ]
    pseudonymous = [r for r in patient_rules() if r.disposition == Disposition.PSEUDONYMOUS]
    return {
        "erased": erased,
        "kept": kept,
        "pseudonymous": pseudonymous,
        "open_alerts": erasure.open_alert_count(patient),
    }


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    user, patient = _patient_or_404(request)
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "withdraw":
            erasure.withdraw_erasure_request(user, patient)
            return redirect("rights:data-erase")
        if request.POST.get("confirm") == "yes":
            erasure.request_erasure(user, patient)
            return redirect("rights:data-erase")
        error = "Tick the box to confirm that you ask for erasure."
    context = {"patient": patient, "error": error, **erasure_outline(patient)}
    return render(request, "rights/data_erase.html", context, status=422 if error else 200)
