"""JSON API: submit a questionnaire (idempotent) and read scored history."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Router, Status
from ninja.security import django_auth

from careloop.accounts.api import api_user
from careloop.assessments.meaning import plain_meaning
from careloop.assessments.models import Assessment
from careloop.assessments.schemas import AssessmentIn, AssessmentOut
from careloop.assessments.selectors import assessments_of
from careloop.assessments.services import record_results_viewed, submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.selectors import own_patient_record, patient_visible_to
from careloop.core.api import ApiError
from careloop.core.errors import InvalidInput
from careloop.instruments.answer_input import AnswerInputError, decode_answers
from careloop.instruments.library import UnknownInstrument, get_instrument

router = Router(tags=["assessments"], auth=django_auth)


def to_out(assessment: Assessment) -> AssessmentOut:
    return AssessmentOut(
        id=assessment.id,
        patient_id=assessment.patient_id,
        instrument=assessment.instrument_id,
        instrument_version=assessment.instrument_version,
        answers=assessment.answers,
        status=assessment.status,
        missing_items=assessment.missing_items,
        total=assessment.score_total,
        band=assessment.band,
        caseness=assessment.caseness,
        prorated=assessment.prorated,
        risk_flags=assessment.risk_flags,
        completed_at=assessment.completed_at,
        client_id=assessment.client_id,
        meaning=plain_meaning(assessment.instrument_id, assessment.band),
    )


@router.post(
    "/assessments",
    response={200: AssessmentOut, 201: AssessmentOut, 404: ApiError, 409: ApiError, 422: ApiError},
    summary="Submit my questionnaire answers (201 stored, 200 already stored under this client id)",
    description="Missing items are refused with a 422 naming them, unless a risk item was "
    'answered: then the response is stored with status "incomplete", no total and its '
    "missing_items, and the care team is alerted (201). Re-sending it under the same client_id "
    "with the missing answers filled in (earlier answers unchanged) completes it (200). "
    "Answer encoding: see the answers field and docs/api/answers.md.",
)
def submit(request: HttpRequest, body: AssessmentIn) -> Status[AssessmentOut]:
    user = api_user(request)
    patient = own_patient_record(user)
    try:
        answers = decode_answers(get_instrument(body.instrument), body.raw_answers())
    except UnknownInstrument:
        raise InvalidInput(f"unknown instrument {body.instrument!r}") from None
    except AnswerInputError as error:
        raise InvalidInput(str(error)) from None
    assessment, created = submit_assessment(
        patient,
        actor=user,
        instrument_id=body.instrument,
        answers=answers,
        client_id=body.client_id,
        source=SubmissionSource.API,
        completed_at=body.completed_at,
    )
    return Status(201 if created else 200, to_out(assessment))


@router.get(
    "/patients/{patient_id}/assessments",
    response={200: list[AssessmentOut], 404: ApiError},
    summary="A patient's scored questionnaires, newest first",
)
def patient_history(
    request: HttpRequest, patient_id: uuid.UUID, instrument: str | None = None, limit: int = 50
) -> list[AssessmentOut]:
    user = api_user(request)
    patient = patient_visible_to(user, patient_id)
    rows = list(assessments_of(patient, instrument_id=instrument)[: max(1, min(limit, 500))])
    record_results_viewed(user, patient)
    return [to_out(row) for row in rows]
