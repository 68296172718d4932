from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class AssessmentIn(Schema):
    instrument: str = Field(description='Instrument id, e.g. "phq9"', max_length=32)
    answers: list[int | None] = Field(
        description="Item answers (ordinal values) in item order; null for an unanswered item",
        max_length=40,
    )
    client_id: uuid.UUID = Field(
        description="Chosen by the client; re-sending the same submission stores it only once"
    )
    completed_at: datetime | None = Field(
        default=None, description="When the patient finished (offline clients); default now"
    )


class AssessmentOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    instrument: str
    instrument_version: str
    answers: list[int | None]
    total: float | None
    band: str
    caseness: bool | None
    prorated: bool
    risk_flags: list[dict[str, Any]]
    completed_at: datetime
    client_id: uuid.UUID
    meaning: str


class ErrorOut(Schema):
    detail: str
