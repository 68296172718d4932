"""Pages: my privacy choices, who accessed my data, and emergency (break-glass) access.

Patients reach only their own record (own_patient_record); anyone else gets 404. Consent and
grants are read from the database on every request (careloop.privacy), never from the session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.accounts.selectors import request_user
from careloop.care.selectors import break_glass_candidate, own_patient_record
from careloop.core import clock
from careloop.core.errors import DomainError, NotFound
from careloop.core.http import client_ip
from careloop.privacy import breakglass
from careloop.privacy.consent import ConsentState, consent_states, decisions_of
from careloop.privacy.consent_texts import (
    PURPOSE_NAMES,
    STREAM_NAMES,
    default_text,
    default_title,
)
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.services import decide
from careloop.privacy.types import Choice
from careloop.rights.access import services as access_services
from careloop.rights.access.selectors import ACCESS_LOG_LIMIT, access_overview_for

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient
    from careloop.privacy.models import ConsentDocument


def _user(request: HttpRequest) -> User:
    return request_user(request)


def _own_record(user: User) -> Patient:
    try:
        return own_patient_record(user)
    except NotFound:
        raise Http404 from None


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class ChoiceRow:
    state: ConsentState
    key: str
    stream_name: str
    text: tuple[str, str]  # (title, body) in the patient's language


@dataclass(frozen=True)
class ChoiceGroup:
    """The choices of one purpose: folded on the page, with how many are on in its summary."""

    purpose_name: str
    rows: list[ChoiceRow]

    @property
    def on_count(self) -> int:
        return sum(1 for row in self.rows if row.state.permitted)

    @property
    def needs_reconsent(self) -> bool:
        return any(row.state.needs_reconsent for row in self.rows)


def _choice_name(purpose: str, stream: str) -> str:
    return gettext("%(stream)s for %(purpose)s") % {
        "stream": gettext(STREAM_NAMES[DataStream(stream)]),
        "purpose": gettext(PURPOSE_NAMES[PurposeOfUse(purpose)]),
    }


def document_text(document: ConsentDocument, language: str) -> tuple[str, str]:
    """(title, body) of a consent document in the page's language: a translation the service
    published with it, else, for the packaged text (unchanged by the service), the packaged
    text in that language from the catalogue, else the English."""
    if language in document.title:
        return document.text_in(language)
    purpose, stream = PurposeOfUse(document.purpose), DataStream(document.stream)
    packaged = document.title.get("en") == default_title(purpose, stream) and document.body.get(
        "en"
    ) == default_text(purpose, stream)
    if packaged:
        with translation.override(language):
            return default_title(purpose, stream, gettext), default_text(purpose, stream, gettext)
    return document.text_in(language)


@login_required
@require_GET
def privacy_choices(request: HttpRequest) -> HttpResponse:
    """Every purpose × data stream with its text, what applies now, and the patient's receipts."""
    patient = _own_record(_user(request))
    access_services.ensure_consent_documents(patient.service_id)
    states = consent_states(patient_id=patient.id, service_id=patient.service_id)
    language = translation.get_language() or "en"  # the page's language
    rows = [
        ChoiceRow(
            state=state,
            key=f"{state.purpose}-{state.stream}",
            stream_name=gettext(STREAM_NAMES[state.stream]),
            text=document_text(state.document, language) if state.document else ("", ""),
        )
        for state in states
    ]
    groups = [
        ChoiceGroup(
            gettext(PURPOSE_NAMES[purpose]), [row for row in rows if row.state.purpose == purpose]
        )
        for purpose in dict.fromkeys(state.purpose for state in states)
    ]
    history = [
        (decision, _choice_name(decision.purpose, decision.stream))
        for decision in decisions_of(patient_id=patient.id, service_id=patient.service_id)[:100]
    ]
    context = {
        "groups": groups,
        "history": history,
        "needs_reconsent": any(group.needs_reconsent for group in groups),
    }
    return _no_store(render(request, "rights/access_privacy.html", context))


@login_required
@require_POST
def privacy_decide(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    patient = _own_record(user)
    try:
        purpose = PurposeOfUse(request.POST.get("purpose", ""))
        stream = DataStream(request.POST.get("stream", ""))
        choice = Choice(request.POST.get("choice", ""))
        version_text = request.POST.get("document_version", "")
        version = int(version_text) if version_text.isdigit() else None
    except ValueError:
        messages.error(request, gettext("That choice was not recognised. Please try again."))
        return redirect("rights:privacy")
    try:
        decision = decide(
            actor=user,
            patient=patient,
            purpose=purpose,
            stream=stream,
            choice=choice,
            document_version=version,
            source_ip=client_ip(request),
        )
    except DomainError as problem:
        messages.error(request, problem.message)
        return redirect("rights:privacy")
    done = (
        gettext(
            "Done: %(stream)s for %(purpose)s is now switched on. It applies straight away. "
            "Your receipt number is %(receipt)s."
        )
        if choice == Choice.GIVEN
        else gettext(
            "Done: %(stream)s for %(purpose)s is now switched off. It applies straight away. "
            "Your receipt number is %(receipt)s."
        )
    )
    # The consent names are marked in privacy.consent_texts and translated here.
    names = {"stream": gettext(STREAM_NAMES[stream]), "purpose": gettext(PURPOSE_NAMES[purpose])}
    messages.success(request, done % {**names, "receipt": decision.receipt})
    return redirect("rights:privacy")


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Every access to the patient's record: emergency access first, then other people's uses
    grouped and explained (who, what, why), every line of theirs folded below, and the
    patient's own uses counted and folded away."""
    user = _user(request)
    patient = _own_record(user)
    overview = access_overview_for(user, patient)
    grants = list(
        breakglass.grants_for_patient(service_id=patient.service_id, patient_id=patient.id)[:20]
    )
    context = {"overview": overview, "grants": grants, "log_limit": ACCESS_LOG_LIMIT}
    return _no_store(render(request, "rights/access_log.html", context))


def _care_staff(request: HttpRequest) -> User:
    user = _user(request)
    if not user.works_in_care_team:
        raise Http404
    return user


def _minutes_left(expires_at_delta: timedelta) -> int:
    return max(0, int(expires_at_delta.total_seconds() // 60))


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """A clinician opens emergency access to a patient outside their team, with a reason."""
    user = _care_staff(request)
    error = ""
    if request.method == "POST":
        try:
            patient_id = uuid.UUID(request.POST.get("patient_id", "").strip())
            patient = break_glass_candidate(user, patient_id)
            breakglass.start(
                actor=user, patient=patient, reason=request.POST.get("reason", ""),
                source_ip=client_ip(request),
            )  # fmt: skip
        except ValueError:
            error = gettext("Please enter the patient reference exactly as given.")
        except NotFound:
            error = gettext("No patient with that reference in this service.")
        except DomainError as problem:
            error = problem.message
        else:
            messages.warning(
                request,
                gettext(
                    "Emergency access is open for 60 minutes. Everything you view is recorded "
                    "and the patient's team supervisor has been told."
                ),
            )
            return redirect("monitoring:patient", patient_id=patient.id)
    now = clock.now()
    active = [
        (grant, _minutes_left(grant.expires_at - now))
        for grant in breakglass.active_grants_of(user)
    ]
    context = {
        "active": active,
        "error": error,
        "submitted": request.POST if error else {},
        "on_emergency_page": True,  # this page lists the grants itself; no banner on top
    }
    status = 422 if error else 200
    return _no_store(render(request, "rights/access_break_glass.html", context, status=status))


@login_required
@require_POST
def break_glass_end(request: HttpRequest, grant_id: uuid.UUID) -> HttpResponse:
    user = _care_staff(request)
    try:
        breakglass.end(actor=user, grant_id=grant_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, gettext("Emergency access ended."))
    return redirect("rights:break-glass")


@login_required
@require_GET
def break_glass_review(request: HttpRequest) -> HttpResponse:
    """Supervisors (their teams' patients) and service admins (all) review emergency accesses."""
    user = _user(request)
    grants = access_services.grants_to_review(user)
    if grants is None:
        raise Http404
    rows = list(grants[:200])
    access_services.record_review(user, rows, source_ip=client_ip(request))
    return _no_store(render(request, "rights/access_break_glass_review.html", {"grants": rows}))
