"""The patient's questionnaire pages: answer a due questionnaire, see the result and history."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from careloop.accounts.selectors import request_user
from careloop.assessments import selectors
from careloop.assessments.meaning import NEXT_STEP, follow_up_after, plain_meaning, risk_note
from careloop.assessments.models import Assessment
from careloop.assessments.services import (
    MissingAnswers,
    record_results_viewed,
    submit_assessment,
)
from careloop.assessments.types import AssessmentStatus, SubmissionSource
from careloop.care.selectors import own_patient_record
from careloop.core.errors import Conflict, DomainError, NotFound
from careloop.instruments.library import (
    InstrumentDefinition,
    UnknownInstrument,
    get_instrument,
    list_instruments,
)
from careloop.instruments.translations import shown_in

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient


def _patient_or_404(request: HttpRequest) -> tuple[User, Patient]:
    user = request_user(request)
    try:
        return user, own_patient_record(user)
    except NotFound:
        raise Http404 from None


def _answers_from_form(request: HttpRequest, link_ids: list[str]) -> list[int | None]:
    """One radio group per item; an unanswered item is None (the scorer decides if that is ok)."""
    answers: list[int | None] = []
    for link_id in link_ids:
        raw = request.POST.get(f"item-{link_id}", "")
        answers.append(int(raw) if raw.lstrip("-").isdigit() else None)
    return answers


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, instrument_id: str) -> HttpResponse:
    user, patient = _patient_or_404(request)
    try:
        instrument = get_instrument(instrument_id)
    except UnknownInstrument:
        raise Http404 from None
    if not instrument.enabled:
        raise Http404
    error = ""
    client_id = uuid.uuid4()
    incomplete: Assessment | None = None
    missing: tuple[str, ...] = ()
    if request.method == "POST":
        answers = _answers_from_form(request, [item.link_id for item in instrument.items])
        try:
            client_id = uuid.UUID(request.POST.get("client_id", ""))
            assessment, _ = submit_assessment(
                patient,
                actor=user,
                instrument_id=instrument_id,
                answers=answers,
                client_id=client_id,
                source=SubmissionSource.WEB,
            )
        except ValueError:
            error = "The form was incomplete. Please answer again."
        except MissingAnswers as refused:
            # Nothing stored (no risk answer among them): say so plainly and name the blanks as
            # numbered on this form, not as item ids or the scoring rule behind the refusal.
            numbers, count = _question_numbers(instrument, refused.missing_items)
            error = ngettext(
                "Your answers have not been sent yet: please also answer question %(numbers)s, "
                "then send again.",
                "Your answers have not been sent yet: please also answer questions %(numbers)s, "
                "then send again.",
                count,
            ) % {"numbers": numbers}
        except Conflict:
            # Only reachable here by changing an answer on a re-shown incomplete form: what was
            # sent first stays on record (HZ-017); the form is offered afresh (new client id).
            error = (
                "You changed an answer you had already sent. We have kept your first answers "
                "and your care team can see them. Please fill in the questionnaire again."
            )
        except DomainError as problem:
            error = problem.message
        else:
            if assessment.status != AssessmentStatus.INCOMPLETE:
                return redirect("assessments:result", assessment_id=assessment.id)
            # Stored (a risk answer was given, the care team is alerted) but not scorable yet:
            # the same form again, answers kept, same client id so finishing it completes this
            # very record (services.submit_assessment), with the missing questions named.
            incomplete = assessment
            missing = tuple(assessment.missing_items)
    missing_questions, missing_count = _question_numbers(instrument, missing)
    language = get_language() or "en"
    context = {
        "instrument": instrument,
        # The wording in the page's language only if the definition holds an official
        # translation; otherwise English, and the page says so (#14).
        "wording": shown_in(instrument, language),
        "page_language_name": capfirst(get_language_info(language)["name_local"]),
        "intro": _INTROS.get(instrument.id, ""),
        "client_id": client_id if incomplete else uuid.uuid4(),
        "error": error,
        "incomplete": incomplete,
        "missing_questions": missing_questions,
        "missing_count": missing_count,
        "submitted": request.POST if error or incomplete else {},
    }
    return render(request, "assessments/answer.html", context, status=422 if error else 200)


# The form's opening line where the generic "Over the <recall period>, how often…" is untrue:
# the C-SSRS screener asks yes/no questions over two periods (its definition's recall_period:
# ideation Q1–Q5 past month, behaviour Q6 lifetime, Q6b past 3 months), and that metadata is
# written for staff, not patients.
_INTROS = {
    "cssrs_screener": (
        "Please answer yes or no. Questions 1 to 5 are about the past month. Question 6 is "
        "about any time in your life, and question 7 asks whether that was in the past 3 months."
    ),
}


def _question_numbers(
    instrument: InstrumentDefinition, missing_items: tuple[str, ...]
) -> tuple[str, int]:
    """The missing questions as the patient sees them numbered on the form ("3, 5 and 7"),
    and how many there are (for "question" or "questions")."""
    numbers = [
        str(position)
        for position, item in enumerate(instrument.items, start=1)
        if item.link_id in missing_items
    ]
    if len(numbers) <= 1:
        return "".join(numbers), len(numbers)
    return f"{', '.join(numbers[:-1])} and {numbers[-1]}", len(numbers)


@login_required
@require_GET
def result(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    user, patient = _patient_or_404(request)
    assessment = selectors.assessments_of(patient).filter(id=assessment_id).first()
    if assessment is None:
        raise Http404
    record_results_viewed(user, patient, assessment_id=assessment.id)
    context = {
        "assessment": assessment,
        "instrument": get_instrument(assessment.instrument_id),
        "meaning": plain_meaning(assessment.instrument_id, assessment.band),
        "next_step": NEXT_STEP,
        # Worded from the answer actually given (HZ-022); the follow-up offered after it (HZ-021).
        "risk_note": risk_note(assessment),
        "follow_up": follow_up_after(assessment),
    }
    return render(request, "assessments/result.html", context)


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    user, patient = _patient_or_404(request)
    titles = {definition.id: definition.title for definition in list_instruments()}
    rows = [
        (assessment, titles.get(assessment.instrument_id, assessment.instrument_id.upper()))
        for assessment in selectors.assessments_of(patient)[:200]
    ]
    record_results_viewed(user, patient)
    return render(request, "assessments/history.html", {"assessments": rows})
