"""JSON API: the caseload registry, the patient's schedule, measurement plans and check-ins."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field, StrictInt

from careloop.accounts.api import api_user
from careloop.assessments.types import SubmissionSource
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import own_patient_record, patient_visible_to, require_write_access
from careloop.core import clock
from careloop.core.api import ApiError, IsoDateTime
from careloop.core.text import FreeText
from careloop.monitoring import follow_up_selectors, selectors
from careloop.monitoring.models import CheckIn
from careloop.monitoring.schedule import local_date
from careloop.monitoring.selectors import ScheduleEntry
from careloop.monitoring.services import (
    PlanItemChange,
    change_plan_item,
    record_caseload_viewed,
    record_checkin,
)

router = Router(tags=["monitoring"], auth=django_auth)


class CaseloadRowOut(Schema):
    patient_id: uuid.UUID
    display_name: str
    team: str
    open_alerts: int
    phq9_baseline: float | None
    phq9_latest: float | None
    phq9_change: float | None
    gad7_baseline: float | None
    gad7_latest: float | None
    gad7_change: float | None
    last_submission_at: datetime | None
    overdue: list[str] = Field(description="Short names of the measures that are overdue")
    missed_in_a_row: int = Field(
        description="Longest current run of due windows closed without a submission"
    )
    missed_measure: str = Field(description="The measure with that run ('' when none)")
    missed_flag: bool = Field(description="missed_in_a_row reached the registry's flag level")
    in_care: bool = Field(
        description="False after discharge (every episode ended): nothing is due or missed"
    )


@router.get("/caseload", response=list[CaseloadRowOut], summary="My care teams' patients")
def caseload(request: HttpRequest) -> list[CaseloadRowOut]:
    user = api_user(request)
    rows = selectors.caseload_rows(user)
    record_caseload_viewed(user, rows)
    return [
        CaseloadRowOut(
            patient_id=row.patient.id,
            display_name=row.patient.display_name,
            team=row.patient.care_team.name,
            open_alerts=row.open_alerts,
            phq9_baseline=row.phq9_baseline,
            phq9_latest=row.phq9_latest,
            phq9_change=row.phq9_change,
            gad7_baseline=row.gad7_baseline,
            gad7_latest=row.gad7_latest,
            gad7_change=row.gad7_change,
            last_submission_at=row.last_submission_at,
            overdue=list(row.overdue),
            missed_in_a_row=row.missed_in_a_row,
            missed_measure=row.missed_measure,
            missed_flag=row.is_missed_flagged,
            in_care=row.in_care,
        )
        for row in rows
    ]


# --- The patient's schedule --------------------------------------------------------------------


class ScheduleItemOut(Schema):
    measure: str = Field(description='Instrument id ("phq9") or "checkin"')
    title: str
    state: str = Field(description="not_due, due or overdue (on the patient's calendar)")
    due_on: date
    missed_in_a_row: int
    summary: str = Field(description="What is due, in plain language")
    answer_path: str
    follow_up: bool = Field(
        default=False,
        description="True: offered after a risk answer (e.g. the C-SSRS screener after PHQ-9 "
        "item 9), due until answered or the care team closes the alert; not part of the plan",
    )


@router.get(
    "/me/schedule",
    response={200: list[ScheduleItemOut], 404: ApiError},
    summary="What I am asked to complete, most urgent first",
)
def my_schedule(request: HttpRequest) -> list[ScheduleItemOut]:
    patient = own_patient_record(api_user(request))
    now = clock.now()
    today = local_date(now, selectors.patient_time_zone(patient))
    items = [
        ScheduleItemOut(
            measure=offer.instrument_id,
            title=offer.title,
            state="due",
            due_on=local_date(offer.offered_at, selectors.patient_time_zone(patient)),
            missed_in_a_row=0,
            summary=_("Your care team would like you to answer a few more questions."),
            answer_path=offer.answer_path,
            follow_up=True,
        )
        for offer in follow_up_selectors.due_follow_ups(patient)  # HZ-021
    ]
    for entry in selectors.schedule_for(patient, now):
        status = entry.status
        assert status is not None  # schedule_for returns scheduled items only
        items.append(
            ScheduleItemOut(
                measure=entry.planned.info.measure,
                title=entry.planned.info.title,
                state=status.state,
                due_on=status.due_on,
                missed_in_a_row=status.missed_in_a_row,
                summary=selectors.due_sentence(entry, today),
                answer_path=entry.planned.info.answer_path,
            )
        )
    return items


# --- Measurement plans (care team) -------------------------------------------------------------


class PlanItemIn(Schema):
    every_days: int = Field(description="Due every this many days (1–365)")
    overdue_after_days: int = Field(description="Grace days after the due day (< every_days)")
    remind_before_days: int = Field(default=0, description="0 = remind on the due day")
    reminder_enabled: bool = True
    active: bool = True


class PlanItemOut(Schema):
    measure: str
    title: str
    available: bool
    unavailable_reason: str
    every_days: int
    overdue_after_days: int
    remind_before_days: int
    reminder_enabled: bool
    active: bool
    starts_on: date
    state: str | None = Field(description="None when paused or unavailable")
    due_on: date | None
    missed_in_a_row: int | None


class SkippedMeasureOut(Schema):
    measure: str
    title: str
    reason: str


class PlanOut(Schema):
    patient_id: uuid.UUID
    is_stored: bool = Field(description="False: the default plan applies and is not stored yet")
    items: list[PlanItemOut]
    skipped_default_measures: list[SkippedMeasureOut]


def _item_out(entry: ScheduleEntry) -> PlanItemOut:
    item, status = entry.planned, entry.status
    return PlanItemOut(
        measure=item.info.measure,
        title=item.info.title,
        available=item.info.available,
        unavailable_reason=item.info.unavailable_reason,
        every_days=item.cadence.every_days,
        overdue_after_days=item.cadence.overdue_after_days,
        remind_before_days=item.cadence.remind_before_days,
        reminder_enabled=item.reminder_enabled,
        active=item.active,
        starts_on=item.starts_on,
        state=status.state if status else None,
        due_on=status.due_on if status else None,
        missed_in_a_row=status.missed_in_a_row if status else None,
    )


@router.get(
    "/patients/{patient_id}/plan",
    response={200: PlanOut, 404: ApiError},
    summary="A patient's measurement plan with each measure's state",
)
def patient_plan(request: HttpRequest, patient_id: uuid.UUID) -> PlanOut:
    user = api_user(request)
    patient = patient_visible_to(user, patient_id)
    entries = selectors.plan_overview_for(patient, clock.now())
    record_event(
        actor=user,
        action=AuditAction.PATIENT_VIEWED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=PurposeOfUse.PATRQT if patient.user_id == user.id else PurposeOfUse.TREAT,
        obj=("Patient", patient.id),
        detail={"view": "measurement_plan"},
    )
    return PlanOut(
        patient_id=patient.id,
        is_stored=selectors.active_plan_of(patient) is not None,
        items=[_item_out(entry) for entry in entries],
        skipped_default_measures=[
            SkippedMeasureOut(
                measure=info.measure, title=info.title, reason=info.unavailable_reason
            )
            for info in selectors.skipped_default_measures()
        ],
    )


@router.put(
    "/patients/{patient_id}/plan/items/{measure}",
    response={200: PlanItemOut, 403: ApiError, 404: ApiError, 422: ApiError},
    summary="Set one measure's cadence in a patient's plan (adds it if absent; care team only)",
)
def put_plan_item(
    request: HttpRequest, patient_id: uuid.UUID, measure: str, body: PlanItemIn
) -> PlanItemOut:
    user = api_user(request)
    patient = patient_visible_to(user, patient_id)
    require_write_access(patient)
    change = PlanItemChange(**body.dict())
    change_plan_item(patient, actor=user, measure=measure, change=change)
    entry = next(
        e
        for e in selectors.plan_overview_for(patient, clock.now())
        if e.planned.info.measure == measure
    )
    return _item_out(entry)


# --- Mood check-ins ----------------------------------------------------------------------------


class CheckInIn(Schema):
    # Strict: `false` is not a mood of 0 (pydantic's lax mode took it).
    mood: StrictInt = Field(description="0 (very low) to 10 (very good)")
    note: FreeText = Field(default="", description="Optional, at most 500 characters")
    client_id: uuid.UUID = Field(
        description="Chosen by the client; re-sending the same check-in stores it only once"
    )
    completed_at: IsoDateTime | None = Field(
        default=None, description="When the patient checked in (offline clients); default now"
    )


class CheckInOut(Schema):
    id: uuid.UUID
    mood: int
    note: str
    completed_at: datetime
    client_id: uuid.UUID


def _checkin_out(checkin: CheckIn) -> CheckInOut:
    return CheckInOut(
        id=checkin.id,
        mood=checkin.mood,
        note=checkin.note,
        completed_at=checkin.completed_at,
        client_id=checkin.client_id,
    )


@router.post(
    "/checkins",
    response={200: CheckInOut, 201: CheckInOut, 404: ApiError, 409: ApiError, 422: ApiError},
    summary="Save my mood check-in (201 stored, 200 already stored under this client id)",
)
def submit_checkin(request: HttpRequest, body: CheckInIn) -> Status[CheckInOut]:
    user = api_user(request)
    patient = own_patient_record(user)
    checkin, created = record_checkin(
        patient,
        actor=user,
        mood=body.mood,
        note=body.note,
        client_id=body.client_id,
        source=SubmissionSource.API,
        completed_at=body.completed_at,
    )
    return Status(201 if created else 200, _checkin_out(checkin))
