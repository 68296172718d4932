"""The patient's page "Decisions about my care" (#15 item 6): a receipt for each decision that a
computer-assisted suggestion influenced, in plain words and the patient's language, and the
button "Ask a person to look at this again" (ai.services.reviews.request_human_review).

Only the signed-in patient's own receipts (own_patient_record); anyone else gets 404.
Short sentences: another part of the work measures patient pages' reading level.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careloop.accounts.selectors import request_user
from careloop.ai.selectors.oversight import receipt_suggestion_for_patient, receipts_for_patient
from careloop.ai.services.reviews import request_human_review
from careloop.ai.types import MESSAGE_MAX_CHARS
from careloop.core.errors import Conflict, DomainError, NotFound


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _page(
    request: HttpRequest,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    submitted: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        receipts = receipts_for_patient(request_user(request))
    except NotFound:
        raise Http404 from None
    rows: list[dict[str, Any]] = [
        {
            "receipt": receipt,
            "key": str(receipt.id),
            "errors": (errors or {}).get(str(receipt.id), {}),
            "message": (submitted or {}).get(str(receipt.id), ""),
        }
        for receipt in receipts
    ]
    context = {"rows": rows, "message_max": MESSAGE_MAX_CHARS}
    return _no_store(render(request, "ai/my_decisions.html", context, status=status))


@login_required
@require_GET
def my_decisions(request: HttpRequest) -> HttpResponse:
    """GET /decisions/: the patient's decision receipts, newest first."""
    return _page(request)


@login_required
@require_POST
def ask_for_review(request: HttpRequest, suggestion_id: uuid.UUID) -> HttpResponse:
    """POST /decisions/<id>/review: ask a person to look at a decision again, with an optional
    message. 404 unless it is the patient's own decision; a second open request is refused."""
    user = request_user(request)
    message = request.POST.get("message", "")
    key = str(suggestion_id)
    try:
        suggestion = receipt_suggestion_for_patient(user, suggestion_id)
    except NotFound:
        raise Http404 from None
    if len(message) > MESSAGE_MAX_CHARS:
        error = _("Please make your message shorter. It can have up to %(max)s letters.") % {
            "max": MESSAGE_MAX_CHARS
        }
        return _page(
            request, errors={key: {"message": error}}, submitted={key: message}, status=422
        )
    try:
        request_human_review(user, suggestion, message)
    except NotFound:
        raise Http404 from None
    except Conflict:
        messages.info(request, _("You have already asked. A person will answer soon."))
    except DomainError as problem:
        return _page(
            request,
            errors={key: {"form": problem.message}},
            submitted={key: message},
            status=problem.status_code,
        )
    else:
        messages.success(request, _("Thank you. A person from your care team will look again."))
    return redirect(reverse("decisions:mine") + f"#decision-{key}")
