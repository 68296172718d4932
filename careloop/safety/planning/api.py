"""JSON API: crisis resources, the offline snapshot, safety plans, the safety lead's review.

Thin: parse → select (care.selectors decides who sees which patient; outsiders get 404) →
service → serialise. DomainErrors become 404/409/422 in careloop.core.api.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.security import django_auth

from careloop.accounts.api import api_user
from careloop.care.selectors import own_patient_record, patient_visible_to, require_write_access
from careloop.core import clock
from careloop.core.api import ApiError
from careloop.safety.planning import selectors, services
from careloop.safety.planning.directory import plain_message
from careloop.safety.planning.schemas import (
    ConfirmIn,
    CrisisCardOut,
    OfflineSnapshotOut,
    PlanVersionSummaryOut,
    ReviewLineOut,
    ReviewListOut,
    ReviewResultOut,
    SafetyPlanIn,
    SafetyPlanOut,
    crisis_card_out,
    plan_out,
)
from careloop.safety.planning.selectors import ReviewRow, ReviewState

if TYPE_CHECKING:
    from careloop.care.models import Patient

router = Router(tags=["safety planning"], auth=django_auth)

# They name a patient: no HTTP cache may keep them (careloop.core.cache_control sets the same for
# every such response). The service worker keeps its offline copy in Cache Storage, which
# Cache-Control does not govern, so the plan stays available offline.
OFFLINE_CACHE_CONTROL = "no-store"


def _crisis_out(patient: Patient) -> CrisisCardOut:
    card = selectors.crisis_card_for(patient)
    version = selectors.crisis_directory().version
    return crisis_card_out(card, data_version=version, message=plain_message(card))


@router.get(
    "/safety/crisis-resources",
    response={200: CrisisCardOut, 404: ApiError},
    url_name="safety_crisis_resources",
    summary="My crisis resources: emergency number first, then lines my service confirmed",
)
def my_crisis_resources(request: HttpRequest, response: HttpResponse) -> CrisisCardOut:
    patient = own_patient_record(api_user(request))
    response["Cache-Control"] = OFFLINE_CACHE_CONTROL
    return _crisis_out(patient)


@router.get(
    "/safety/offline-snapshot",
    response={200: OfflineSnapshotOut, 404: ApiError},
    url_name="safety_offline_snapshot",
    summary="Everything the app stores for offline use: crisis resources and my safety plan",
)
def offline_snapshot(request: HttpRequest, response: HttpResponse) -> OfflineSnapshotOut:
    user = api_user(request)
    patient = own_patient_record(user)
    version = selectors.current_version_of(patient)
    services.record_safety_plan_viewed(patient, actor=user, version=version, what="snapshot")
    response["Cache-Control"] = OFFLINE_CACHE_CONTROL
    return OfflineSnapshotOut(
        generated_at=clock.now(),
        crisis=_crisis_out(patient),
        safety_plan=plan_out(patient.id, version),
    )


@router.get(
    "/patients/{patient_id}/safety-plan",
    response={200: SafetyPlanOut, 404: ApiError},
    summary="The newest version of a safety plan (version 0 and empty sections if none yet)",
)
def get_safety_plan(request: HttpRequest, patient_id: uuid.UUID) -> SafetyPlanOut:
    user = api_user(request)
    patient = patient_visible_to(user, patient_id)
    version = selectors.current_version_of(patient)
    services.record_safety_plan_viewed(patient, actor=user, version=version, what="api")
    return plan_out(patient.id, version)


@router.put(
    "/patients/{patient_id}/safety-plan",
    response={200: SafetyPlanOut, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError},
    summary="Save a new version; send the version you edited as base_version (stale → 409)",
)
def put_safety_plan(
    request: HttpRequest, patient_id: uuid.UUID, body: SafetyPlanIn
) -> SafetyPlanOut:
    user = api_user(request)
    patient = patient_visible_to(user, patient_id)
    require_write_access(patient)
    version = services.save_safety_plan(
        patient, actor=user, base_version=body.base_version, sections=body.sections_as_data()
    )
    return plan_out(patient.id, version)


@router.get(
    "/patients/{patient_id}/safety-plan/versions",
    response={200: list[PlanVersionSummaryOut], 404: ApiError},
    summary="Every saved version of a safety plan, newest first (who saved it, when)",
)
def list_safety_plan_versions(
    request: HttpRequest, patient_id: uuid.UUID
) -> list[PlanVersionSummaryOut]:
    user = api_user(request)
    patient = patient_visible_to(user, patient_id)
    versions = list(selectors.versions_of(patient))
    services.record_safety_plan_viewed(patient, actor=user, version=None, what="api_history")
    return [
        PlanVersionSummaryOut(
            version=v.number,
            saved_at=v.created_at,
            saved_by_role=v.author_role,
            saved_by_name=v.author.get_full_name() or v.author.get_username(),
        )
        for v in versions
    ]


@router.get(
    "/patients/{patient_id}/safety-plan/versions/{number}",
    response={200: SafetyPlanOut, 404: ApiError},
    summary="One saved version of a safety plan, exactly as it was saved",
)
def get_safety_plan_version(
    request: HttpRequest, patient_id: uuid.UUID, number: int
) -> SafetyPlanOut:
    user = api_user(request)
    patient = patient_visible_to(user, patient_id)
    version = selectors.version_of(patient, number)
    services.record_safety_plan_viewed(patient, actor=user, version=version, what="api_version")
    return plan_out(patient.id, version)


def _review_line_out(row: ReviewRow) -> ReviewLineOut:
    line, confirmation = row.line, row.confirmation
    return ReviewLineOut(
        id=line.id,
        name=line.name,
        verified=line.verified,
        state=row.state,
        entry_sha256=line.content_sha256,
        phone=line.phone,
        sms=line.sms,
        chat_url=line.chat_url,
        hours=line.hours,
        languages=line.languages,
        cost=line.cost,
        source_url=line.source_url,
        source_kind=line.source_kind,
        notes=line.notes,
        confirmed_by=confirmation.confirmed_by.get_username() if confirmation else None,
        confirmed_at=confirmation.confirmed_at if confirmation else None,
        confirmed_data_version=confirmation.data_version if confirmation else None,
    )


@router.get(
    "/safety/crisis-resource-reviews",
    response={200: ReviewListOut, 404: ApiError},
    summary="Safety lead: my service's crisis lines and whether each is confirmed",
)
def list_crisis_reviews(request: HttpRequest) -> ReviewListOut:
    service = selectors.reviewer_service(api_user(request))
    directory = selectors.crisis_directory()
    resources = directory.for_country(service.country_code)
    return ReviewListOut(
        country=service.country_code,
        data_version=directory.version,
        data_sha256=directory.sha256,
        emergency_number=resources.emergency.number if resources else None,
        emergency_verified=resources.emergency.verified if resources else False,
        lines=[_review_line_out(row) for row in selectors.review_rows_for(service)],
    )


@router.post(
    "/safety/crisis-resource-reviews/{entry_id}/confirm",
    response={
        200: ReviewResultOut,
        201: ReviewResultOut,
        404: ApiError,
        409: ApiError,
        422: ApiError,
    },
    summary="Safety lead: confirm a verified line as reviewed (201), already confirmed (200)",
)
def confirm_crisis_line(
    request: HttpRequest, entry_id: str, body: ConfirmIn
) -> Status[ReviewResultOut]:
    _, created = services.confirm_crisis_line(
        actor=api_user(request), entry_id=entry_id, seen_entry_sha256=body.entry_sha256
    )
    result = ReviewResultOut(entry_id=entry_id, state=ReviewState.CONFIRMED, changed=created)
    return Status(201 if created else 200, result)


@router.post(
    "/safety/crisis-resource-reviews/{entry_id}/withdraw",
    response={200: ReviewResultOut, 404: ApiError, 409: ApiError},
    summary="Safety lead: stop showing a line to my service's patients",
)
def withdraw_crisis_line(request: HttpRequest, entry_id: str) -> ReviewResultOut:
    services.withdraw_crisis_line(actor=api_user(request), entry_id=entry_id)
    return ReviewResultOut(entry_id=entry_id, state=ReviewState.WITHDRAWN, changed=True)
