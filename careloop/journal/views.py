"""Pages: the patient's journal (write, read, share per entry) and the care team's view of the
entries a patient shared. Works without JavaScript; outsiders get 404."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careloop.accounts.selectors import request_user
from careloop.care.selectors import own_patient_record
from careloop.core.errors import DomainError, InvalidInput, NotFound
from careloop.core.http import aware_datetime_param, client_ip
from careloop.journal import selectors, services
from careloop.journal.models import JournalEntry
from careloop.safety.planning.selectors import crisis_card_for
from careloop.safety.text import ALERT_LEVELS, Level

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request_user(request)


def _own_patient(user: User) -> Patient:
    try:
        return own_patient_record(user)
    except NotFound:
        raise Http404 from None


def _older_cursor(entries: list[JournalEntry]) -> str:
    return entries[-1].created_at.isoformat() if len(entries) == PAGE_SIZE else ""


def _written_entry(user: User, request: HttpRequest) -> JournalEntry | None:
    """The entry just written (?written=<id>), to tell the patient what screening found."""
    try:
        return selectors.own_entry(user, uuid.UUID(request.GET.get("written", "")))
    except (ValueError, NotFound):
        return None


def _journal_page(
    request: HttpRequest, user: User, patient: Patient, *, error: str = "", status: int = 200
) -> HttpResponse:
    entries = selectors.own_entries(
        user, before=aware_datetime_param(request, "before"), limit=PAGE_SIZE
    )
    written = _written_entry(user, request)
    context: dict[str, Any] = {
        "entries": entries,
        "older_before": _older_cursor(entries),
        # Crisis help after a worrying entry, and after one that could not be screened (HZ-026).
        "concern": written is not None and written.screen_level in ALERT_LEVELS,
        "unscreened": written is not None and written.screen_level == Level.NOT_SCREENED.value,
        "card": crisis_card_for(patient),
        "team_can_read": selectors.team_can_read_journal(patient),
        "client_id": uuid.uuid4(),
        "error": error,
        "submitted": request.POST if error else {},
        "moods": range(services.MOOD_MIN, services.MOOD_MAX + 1),
        "max_chars": services.MAX_BODY_CHARS,
    }
    return render(request, "journal/index.html", context, status=status)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return _journal_page(request, user, _own_patient(user))


def _mood(raw: str) -> int | None:
    if raw == "":
        return None
    if not raw.isdigit():
        raise InvalidInput(_("Please choose a mood from 0 to 10, or leave it out."))
    return int(raw)


@login_required
@require_POST
def write(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    patient = _own_patient(user)
    try:
        entry, _created = services.write_entry(
            user,
            patient,
            body=request.POST.get("body", ""),
            shared=request.POST.get("shared") == "on",
            client_id=uuid.UUID(request.POST.get("client_id", "")),
            mood=_mood(request.POST.get("mood", "")),
        )
    except ValueError:
        error = _("The form was incomplete. Please try again.")
    except DomainError as problem:
        error = problem.message
    else:
        messages.success(request, _("Your entry is saved."))
        return redirect(f"{reverse('journal:index')}?written={entry.id}")
    return _journal_page(request, user, patient, error=error, status=422)


@login_required
@require_POST
def sharing(request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    try:
        entry = selectors.own_entry(user, entry_id)
    except NotFound:
        raise Http404 from None
    shared = request.POST.get("shared") == "on"
    services.set_sharing(user, entry, shared=shared)
    if shared:
        messages.success(request, _("The entry is shared with your care team."))
    else:
        messages.success(request, _("The entry is private again."))
    return redirect("journal:index")


@login_required
@require_GET
def shared(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The care team's view: only entries the patient shared, only while consent allows."""
    user = _user(request)
    try:
        patient = selectors.team_patient(user, patient_id)
    except NotFound:
        raise Http404 from None
    withheld = not selectors.journal_readable(user, patient)
    entries = (
        []
        if withheld
        else selectors.shared_entries(
            user, patient, before=aware_datetime_param(request, "before"), limit=PAGE_SIZE
        )
    )
    services.record_shared_entries_viewed(user, patient, entries, source_ip=client_ip(request))
    context = {
        "patient": patient,
        "entries": entries,
        "withheld": withheld,
        "older_before": _older_cursor(entries),
    }
    return render(request, "journal/shared.html", context)
