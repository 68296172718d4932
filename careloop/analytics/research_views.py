"""The researcher's page (issue #13), /manage/research/: how many patients of the service agreed
to research use of each kind of data, and a k-anonymous, pseudonymised extract of it downloaded
as CSV (analytics.research_extract.build_extract: consenting patients only, audited).

For researchers and service admins of a service; anyone else gets 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from careloop.accounts.selectors import user_in_role
from careloop.accounts.types import Role
from careloop.analytics.research_extract import STREAMS, build_extract, write_csv_to
from careloop.audit.types import PurposeOfUse
from careloop.core import clock
from careloop.core.errors import DomainError, NotFound
from careloop.privacy.consent import consented_patient_ids
from careloop.privacy.policy import DataStream

if TYPE_CHECKING:
    from careloop.accounts.models import User

STREAM_WORDS = {
    DataStream.QUESTIONNAIRES: gettext_lazy("Questionnaire scores"),
    DataStream.CHECKINS: gettext_lazy("Daily mood check-ins"),
}
MIN_K = 5


class ExtractForm(forms.Form):
    streams = forms.MultipleChoiceField(
        label=gettext_lazy("Data to include"),
        choices=[(s.value, STREAM_WORDS[s]) for s in STREAMS],
        initial=[s.value for s in STREAMS],
        widget=forms.CheckboxSelectMultiple,
    )
    k = forms.IntegerField(
        label=gettext_lazy("Smallest group size (k)"),
        min_value=MIN_K,
        max_value=100,
        initial=MIN_K,
        help_text=gettext_lazy(
            "Everyone in the extract shares their age band, gender, ethnicity and deprivation "
            "group with at least this many others. At least 5."
        ),
    )


def _reader(request: HttpRequest) -> User:
    try:
        return user_in_role(request, Role.RESEARCHER, Role.SERVICE_ADMIN)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def research(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    assert user.service_id is not None
    form = ExtractForm(request.POST or None)
    error, failed_status = "", 400
    if request.method == "POST" and form.is_valid():
        try:
            extract = build_extract(
                user,
                purpose=PurposeOfUse.HRESCH,
                streams=form.cleaned_data["streams"],
                k=form.cleaned_data["k"],
            )
        except DomainError as problem:
            error, failed_status = problem.message, problem.status_code
        else:
            stamp = clock.now().strftime("%Y%m%d-%H%M")
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="research-extract-{stamp}.csv"'
            response["Cache-Control"] = "no-store"
            write_csv_to(extract, response)
            return response
    counts = [
        (
            STREAM_WORDS[stream],
            consented_patient_ids(
                service_id=user.service_id, purpose=PurposeOfUse.HRESCH, stream=stream
            ).count(),
        )
        for stream in STREAMS
    ]
    context = {"form": form, "error": error, "counts": counts}
    status = failed_status if request.method == "POST" else 200
    return render(request, "analytics/manage/research.html", context, status=status)
