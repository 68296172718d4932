"""The clinician's review queue page: open review items of the caseload, and "mark reviewed"."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from careloop.audit.services import record_patient_reads
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.core.errors import DomainError, NotFound
from careloop.core.http import client_ip
from careloop.safety.forms import ReviewForm
from careloop.safety.selectors import open_reviews_for_caseload, review_item_visible_to
from careloop.safety.services.review import complete_review
from careloop.safety.views import clinician_or_404

REVIEW_PAGE_MAX = 200


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    user = clinician_or_404(request)
    items = list(open_reviews_for_caseload(user)[:REVIEW_PAGE_MAX])
    if items and user.service_id is not None:
        record_patient_reads(
            actor=user,
            action=AuditAction.REVIEWS_VIEWED,
            service_id=user.service_id,
            patient_ids=sorted({item.patient_id for item in items}),
            purpose=PurposeOfUse.TREAT,
            source_ip=client_ip(request),
        )
    context = {"items": items, "form": ReviewForm(), "page_max": REVIEW_PAGE_MAX}
    return render(request, "safety/review_queue.html", context)


@login_required
@require_POST
def mark_reviewed(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    user = clinician_or_404(request)
    try:
        item = review_item_visible_to(user, item_id)
    except NotFound:
        raise Http404 from None
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Write what you found before marking the item reviewed."))
        return redirect("safety:review-queue")
    try:
        complete_review(user, item, form.cleaned_data["note"])
        messages.success(
            request, gettext("Marked reviewed: %(name)s.") % {"name": item.patient.display_name}
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("safety:review-queue")
