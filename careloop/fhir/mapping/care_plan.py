"""Measurement plans and Stanley–Brown safety plans → FHIR CarePlan.

Two kinds of plan share the type, told apart by `category`:
- a measurement plan: one activity per measure, with its cadence as `scheduledTiming` and the
  Questionnaire it instantiates (the daily mood check-in has no Questionnaire);
- a safety plan: one activity per Stanley–Brown section that has entries. The entries are the
  patient's own words: they are included only when the caller says the reader may see them (the
  patient and their care team), otherwise the activity says how many entries there are.
A safety plan keeps every saved version, so its versionId is the version number; a measurement
plan keeps no history, so its versionId is the content hash.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from careloop.fhir.mapping.common import (
    CARELOOP_FHIR,
    LOINC,
    Resource,
    instant,
    reference,
    with_meta,
)
from careloop.instruments.library import UnknownInstrument, get_instrument
from careloop.safety.planning.plan_content import sections_with_items

CATEGORY_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/care-plan-category"
MEASURE_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/measure"
SAFETY_PLAN_SECTION_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/safety-plan-section"
MEASUREMENT_PLAN = "measurement-plan"
SAFETY_PLAN = "safety-plan"
CHECKIN = "checkin"


class MeasurementPlanRecord(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def patient_id(self) -> uuid.UUID: ...
    @property
    def active(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...


class PlanItemRecord(Protocol):
    @property
    def measure(self) -> str: ...
    @property
    def every_days(self) -> int: ...
    @property
    def overdue_after_days(self) -> int: ...
    @property
    def active(self) -> bool: ...
    @property
    def starts_on(self) -> date: ...
    @property
    def updated_at(self) -> datetime: ...


class SafetyPlanRecord(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def patient_id(self) -> uuid.UUID: ...
    @property
    def created_at(self) -> datetime: ...


class SafetyPlanVersionRecord(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def content(self) -> Mapping[str, Any]: ...
    @property
    def author_id(self) -> uuid.UUID: ...
    @property
    def author_role(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


def _category(code: str, display: str) -> list[Resource]:
    return [{"coding": [{"system": CATEGORY_SYSTEM, "code": code, "display": display}]}]


def measurement_last_updated(
    plan: MeasurementPlanRecord, items: Iterable[PlanItemRecord]
) -> datetime:
    return max([plan.created_at, *(item.updated_at for item in items)])


def _measure_activity(item: PlanItemRecord) -> Resource:
    detail: Resource = {"kind": "Task", "status": "scheduled" if item.active else "stopped"}
    if item.measure == CHECKIN:
        detail["code"] = {
            "coding": [{"system": MEASURE_SYSTEM, "code": CHECKIN}],
            "text": "Daily mood check-in (0-10)",
        }
    else:
        try:
            definition = get_instrument(item.measure)
        except UnknownInstrument:
            definition = None
        coding = [{"system": MEASURE_SYSTEM, "code": item.measure}]
        if definition is not None:
            document = definition.questionnaire
            detail["instantiatesCanonical"] = [f"{document['url']}|{definition.version}"]
            if definition.loinc_panel:
                coding.insert(0, {"system": LOINC, "code": definition.loinc_panel})
        title = definition.title if definition is not None else item.measure
        detail["code"] = {"coding": coding, "text": title}
    detail["scheduledTiming"] = {
        "repeat": {
            "boundsPeriod": {"start": item.starts_on.isoformat()},
            "frequency": 1,
            "period": item.every_days,
            "periodUnit": "d",
        }
    }
    detail["description"] = (
        f"Every {item.every_days} day(s); counted as overdue "
        f"{item.overdue_after_days} day(s) after it is due"
    )
    return {"detail": detail}


def measurement_plan_resource(
    plan: MeasurementPlanRecord, items: Sequence[PlanItemRecord]
) -> Resource:
    resource: Resource = {
        "resourceType": "CarePlan",
        "id": str(plan.id),
        "status": "active" if plan.active else "completed",
        "intent": "plan",
        "category": _category(MEASUREMENT_PLAN, "Measurement plan"),
        "title": "Measurement plan",
        "subject": reference("Patient", plan.patient_id),
        "period": {"start": instant(plan.created_at)},
        "created": instant(plan.created_at),
    }
    activities = [_measure_activity(item) for item in sorted(items, key=lambda i: i.measure)]
    if activities:
        resource["activity"] = activities
    return with_meta(resource, measurement_last_updated(plan, items))


def _entry_text(entry: Mapping[str, Any]) -> str:
    text = str(entry.get("text", ""))
    phone = str(entry.get("phone", ""))
    return f"{text} ({phone})" if phone else text


def _section_activities(content: Mapping[str, Any], *, include_text: bool) -> list[Resource]:
    activities = []
    for section, entries in sections_with_items(content):
        if not entries:
            continue
        label = f"Step {section.step}: {section.title}" if section.step else section.title
        detail: Resource = {
            "code": {
                "coding": [{"system": SAFETY_PLAN_SECTION_SYSTEM, "code": section.key}],
                "text": label,
            },
            "status": "in-progress",
        }
        if include_text:
            detail["description"] = "; ".join(_entry_text(e) for e in entries)
        else:
            detail["description"] = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
        activities.append({"detail": detail})
    return activities


def safety_plan_resource(
    plan: SafetyPlanRecord, version: SafetyPlanVersionRecord, *, include_text: bool
) -> Resource:
    """Version `version.number` of the patient's safety plan.

    `include_text`: the reader is the patient or a member of their care team (the entries are the
    patient's own words and are shown to nobody else).
    """
    author = (
        reference("Patient", plan.patient_id)
        if version.author_role == "patient"
        else reference("Practitioner", version.author_id)
    )
    resource: Resource = {
        "resourceType": "CarePlan",
        "id": str(plan.id),
        "status": "active",
        "intent": "plan",
        "category": _category(SAFETY_PLAN, "Safety plan (Stanley-Brown)"),
        "title": "Safety plan",
        "subject": reference("Patient", plan.patient_id),
        "period": {"start": instant(plan.created_at)},
        "created": instant(plan.created_at),
        "author": author,
    }
    activities = _section_activities(version.content, include_text=include_text)
    if activities:
        resource["activity"] = activities
    return with_meta(resource, version.created_at, version=version.number)
