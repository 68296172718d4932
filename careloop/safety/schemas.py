"""Request and response shapes of the safety API (never the tables themselves)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from careloop.core.text import FreeText
from careloop.safety.models import Alert
from careloop.safety.presenters import reason_of


class AlertOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    assessment_id: uuid.UUID | None
    source: str
    rule: str
    severity: str
    status: str
    reason: str
    evidence: dict[str, Any]
    raised_at: datetime
    notified_at: datetime | None
    acknowledged_at: datetime | None
    actioned_at: datetime | None
    outcome: str
    outcome_note: str
    closed_at: datetime | None
    escalation_step: int
    next_escalation_at: datetime | None
    fallback_fired: bool

    @staticmethod
    def of(alert: Alert) -> AlertOut:
        return AlertOut(
            id=alert.id,
            patient_id=alert.patient_id,
            patient_name=alert.patient.display_name,
            assessment_id=alert.assessment_id,
            source=alert.source,
            rule=f"{alert.rule_id}@{alert.rule_version}",
            severity=alert.severity,
            status=alert.status,
            reason=reason_of(alert),
            evidence=alert.evidence,
            raised_at=alert.raised_at,
            notified_at=alert.notified_at,
            acknowledged_at=alert.acknowledged_at,
            actioned_at=alert.actioned_at,
            outcome=alert.outcome,
            outcome_note=alert.outcome_note,
            closed_at=alert.closed_at,
            escalation_step=alert.escalation_step,
            next_escalation_at=alert.next_escalation_at,
            fallback_fired=alert.fallback_fired_at is not None,
        )


class RaiseAlertIn(Schema):
    patient_id: uuid.UUID
    severity: Literal["low", "moderate", "high"]
    reason: FreeText = Field(min_length=1, max_length=2000)
    client_id: uuid.UUID | None = None


class ActionIn(Schema):
    outcome: Literal[
        "contacted_patient",
        "safety_plan_reviewed",
        "urgent_referral",
        "emergency_services",
        "false_positive",
    ]
    note: FreeText = Field(min_length=1, max_length=4000)


class InboxAlertOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    severity: str
    status: str
    reason: str
    raised_at: datetime


class InboxEntryOut(Schema):
    seq: int
    kind: str  # "alert" (you are asked to respond) | "acknowledged" | "hidden"
    created_at: datetime
    step: int | None
    alert: InboxAlertOut | None


class InboxOut(Schema):
    last_seq: int = Field(description="Head of your stream: numbers up to here exist")
    entries: list[InboxEntryOut]


class BannerOut(Schema):
    id: uuid.UUID
    team: str
    reason: str
    raised_at: datetime


ChannelName = Literal["in_app", "email", "sms", "web_push"]


def _all_channels() -> list[ChannelName]:
    return ["in_app", "email", "sms", "web_push"]


class TierIn(Schema):
    target: Literal["team_clinicians", "on_call", "service_lead"]
    acknowledge_within_seconds: int = Field(ge=10, le=86400)
    channels: list[ChannelName] = Field(default_factory=_all_channels, min_length=1)


class PolicyIn(Schema):
    tiers: list[TierIn] = Field(min_length=1, max_length=10)
    service_lead_id: uuid.UUID | None = None


class TierOut(Schema):
    position: int
    target: str
    acknowledge_within_seconds: int
    channels: list[str]


class PolicyOut(Schema):
    team_id: uuid.UUID
    version: int = Field(description="0 = no policy stored yet: the default applies")
    tiers: list[TierOut]
    service_lead_id: uuid.UUID | None
    changed_by: str | None
    changed_at: datetime | None


class ShiftIn(Schema):
    user_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime


class ShiftOut(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    username: str
    starts_at: datetime
    ends_at: datetime
