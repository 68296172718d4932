"""The patient's own pages: everything about me (readable), its download, and erasure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from careloop.accounts.selectors import signed_in_user
from careloop.assessments.meaning import plain_meaning
from careloop.assessments.patient_data import assessments_newest_first
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import own_patient_record
from careloop.core.errors import NotFound
from careloop.core.http import client_ip
from careloop.journal.patient_data import entries_newest_first
from careloop.monitoring.patient_data import checkins_newest_first, plans_with_items
from careloop.notifications.patient_data import notifications_newest_first
from careloop.privacy.consent_texts import default_title
from careloop.privacy.patient_data import consent_decisions_newest_first
from careloop.privacy.policy import DataStream
from careloop.rights.data import erasure
from careloop.rights.data.export import credentials_of, export_patient
from careloop.rights.data.retention import Disposition, held_rules, patient_rules
from careloop.rights.data.words import rule_words
from careloop.safety.patient_data import alerts_newest_first, open_alert_count
from careloop.safety.planning.patient_data import latest_plan_version
from careloop.safety.planning.plan_content import sections_with_items

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient
    from careloop.privacy.models import ConsentDecision

SHOWN = 50  # newest rows per section on the page; the download holds every row


def _patient_or_404(request: HttpRequest) -> tuple[User, Patient]:
    user = signed_in_user(request)
    if user is None:
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
    rows = assessments_newest_first(patient)
    section = _section("My questionnaire results", rows)
    for assessment in section.rows:
        assessment.meaning = plain_meaning(assessment.instrument_id, assessment.band)
    return section


def _safety_plan(patient: Patient) -> list[tuple[str, list[str]]]:
    version = latest_plan_version(patient)
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
        "checkins": _section("My check-ins", checkins_newest_first(patient)),
        "journal": _section("My journal", entries_newest_first(patient)),
        "notifications": _section(
            "Messages and reminders sent to me", notifications_newest_first(user)
        ),
        "plans": plans_with_items(patient),
        "safety_plan": _safety_plan(patient),
        "alerts": _section("Safety alerts about me", alerts_newest_first(patient)),
        "consents": [_consent_row(c) for c in consent_decisions_newest_first(patient)],
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


@dataclass(frozen=True)
class ConsentRow:
    decided_at: datetime
    choice: str
    title: str  # "Questionnaires for research": the patient never reads a purpose code
    receipt: str


def _consent_row(decision: ConsentDecision) -> ConsentRow:
    title = default_title(PurposeOfUse(decision.purpose), DataStream(decision.stream), gettext)
    return ConsentRow(decision.decided_at, decision.get_choice_display(), title, decision.receipt)


def erasure_outline(patient: Patient) -> dict[str, Any]:
    """What erasure would remove and what it would keep (with why and for how long)."""
    held = erasure.held_counts(patient)
    held_by_model = {rule.model: rule for rule in held_rules()}
    kept = [
        {"rule": held_by_model[label], "words": rule_words(held_by_model[label]), "count": count}
        for label, count in held.items()
        if count and label in held_by_model
    ]
    if held.get("assessments.Assessment"):
        assessments = next(r for r in patient_rules() if r.model == "assessments.Assessment")
        kept.append(
            {
                "rule": assessments,
                "words": rule_words(assessments),
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
        # Several tables share one plain name (the OAuth app keys are five): the patient reads
        # each name once.
        "erased_names": list(dict.fromkeys(rule_words(rule).what for rule in erased)),
        "kept": kept,
        "pseudonymous": pseudonymous,
        "pseudonymous_words": [rule_words(rule) for rule in pseudonymous],
        "open_alerts": open_alert_count(patient),
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
