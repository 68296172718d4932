"""Request and response shapes of the safety planning API (never the tables themselves)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from careloop.core.text import FreeText
from careloop.safety.planning.directory import CrisisCard, CrisisLine, EmergencyNumber
from careloop.safety.planning.models import SafetyPlanVersion
from careloop.safety.planning.plan_content import (
    MAX_ITEMS_PER_SECTION,
    MAX_TEXT_CHARS,
    SECTIONS,
    empty_content,
    sections_with_items,
)


class PlanItem(Schema):
    text: FreeText = Field(max_length=MAX_TEXT_CHARS * 2, description="In the patient's own words")
    phone: str = Field(default="", max_length=40, description="Only in steps 3 to 5")


class SafetyPlanIn(Schema):
    base_version: int = Field(
        ge=0, description="The version you edited (0 for a first plan); stale → 409, not saved"
    )
    sections: dict[str, list[PlanItem]] = Field(
        description="Section key → entries; missing sections are saved empty",
        max_length=len(SECTIONS),
    )

    def sections_as_data(self) -> dict[str, list[dict[str, str]]]:
        return {key: [i.model_dump() for i in items] for key, items in self.sections.items()}


class PlanSectionOut(Schema):
    key: str
    step: int | None = Field(description="Stanley–Brown step; null for the optional extra")
    title: str
    prompt: str
    spec_wording: str
    from_original_spi: bool = Field(
        description="False for 'reasons for living': UNVERIFIED as part of the original SPI"
    )
    max_items: int = MAX_ITEMS_PER_SECTION
    items: list[PlanItem]


class SafetyPlanOut(Schema):
    patient_id: uuid.UUID
    version: int = Field(description="0 when no plan has been saved yet")
    saved_at: datetime | None
    saved_by_role: str | None
    sections: list[PlanSectionOut]


class PlanVersionSummaryOut(Schema):
    version: int
    saved_at: datetime
    saved_by_role: str
    saved_by_name: str


class EmergencyOut(Schema):
    number: str
    dial: list[str]
    source_url: str | None
    verified_as_of: date | None = Field(None, description="When the directory last checked it")


class CrisisLineOut(Schema):
    id: str
    name: str
    phone: str | None
    dial: list[str]
    sms: str | None
    sms_targets: list[dict[str, str | None]]
    chat_url: str | None
    email: str | None
    hours: str | None
    languages: str | None
    cost: str | None
    source_url: str
    verified_as_of: date | None = Field(None, description="When the directory last checked it")


class CrisisCardOut(Schema):
    country: str
    country_name: str
    data_version: str
    emergency: EmergencyOut | None = Field(
        description="Always shown first; null when no verified number: 'call your local number'"
    )
    lines: list[CrisisLineOut] = Field(description="Confirmed lines in the patient's language")
    other_language_lines: list[CrisisLineOut]
    directory_lines: list[CrisisLineOut] = Field(
        default_factory=list,
        description="The directory's other verified lines (not confirmed by the service, not "
        "withdrawn by it), dated; shown after the service's lines, as the crisis page does",
    )
    awaiting_review: bool
    message: str = Field(description="Plain-language text to show with the lines")


class OfflineSnapshotOut(Schema):
    generated_at: datetime
    crisis: CrisisCardOut
    safety_plan: SafetyPlanOut


class ReviewLineOut(Schema):
    id: str
    name: str
    verified: bool
    state: str
    entry_sha256: str
    phone: str | None
    sms: str | None
    chat_url: str | None
    hours: str | None
    languages: str | None
    cost: str | None
    source_url: str
    source_kind: str | None
    notes: str | None
    confirmed_by: str | None
    confirmed_at: datetime | None
    confirmed_data_version: str | None


class ReviewListOut(Schema):
    country: str
    data_version: str
    data_sha256: str
    emergency_number: str | None
    emergency_verified: bool
    lines: list[ReviewLineOut]


class ConfirmIn(Schema):
    entry_sha256: str = Field(
        min_length=64, max_length=64, description="The entry_sha256 you reviewed (from the list)"
    )


class ReviewResultOut(Schema):
    entry_id: str
    state: str
    changed: bool


def plan_out(patient_id: uuid.UUID, version: SafetyPlanVersion | None) -> SafetyPlanOut:
    content = version.content if version is not None else empty_content()
    return SafetyPlanOut(
        patient_id=patient_id,
        version=version.number if version else 0,
        saved_at=version.created_at if version else None,
        saved_by_role=version.author_role if version else None,
        sections=[
            PlanSectionOut(
                key=section.key,
                step=section.step,
                title=section.title,
                prompt=section.prompt,
                spec_wording=section.spec_wording,
                from_original_spi=section.is_original_spi,
                items=[PlanItem(**item) for item in items],
            )
            for section, items in sections_with_items(content)
        ],
    )


def _line_out(line: CrisisLine) -> CrisisLineOut:
    """A line as patients see it: fields labelled UNVERIFIED are left out."""
    return CrisisLineOut(
        id=line.id,
        name=line.name,
        phone=line.patient_value("phone"),
        dial=list(line.dial),
        sms=line.patient_value("sms"),
        sms_targets=[{"number": t.number, "body": t.body} for t in line.sms_targets],
        chat_url=line.patient_chat_url,
        email=line.patient_value("email"),
        hours=line.patient_value("hours"),
        languages=line.patient_value("languages"),
        cost=line.patient_value("cost"),
        source_url=line.source_url,
        verified_as_of=line.checked_on,
    )


def _emergency_out(emergency: EmergencyNumber | None) -> EmergencyOut | None:
    if emergency is None or emergency.number is None:
        return None
    return EmergencyOut(
        number=emergency.number,
        dial=list(emergency.dial),
        source_url=emergency.source_url,
        verified_as_of=emergency.checked_on,
    )


def crisis_card_out(card: CrisisCard, *, data_version: str, message: str) -> CrisisCardOut:
    return CrisisCardOut(
        country=card.country,
        country_name=card.country_name,
        data_version=data_version,
        emergency=_emergency_out(card.emergency),
        lines=[_line_out(line) for line in card.lines],
        other_language_lines=[_line_out(line) for line in card.other_language_lines],
        directory_lines=[_line_out(line) for line in card.directory_lines],
        awaiting_review=card.awaiting_review,
        message=message,
    )
