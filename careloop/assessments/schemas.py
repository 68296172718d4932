from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field, StrictInt, StrictStr

ANSWERS_DESCRIPTION = (
    "Item answers in item order (docs/api/answers.md). Each is null (not answered); an integer "
    "response value, accepted only on items where it equals the item score (PHQ-9, GAD-7, "
    "C-SSRS 0/1 ...; true/false are refused); an answer code from the Questionnaire definition "
    '("LA6570-1", "epds-position-0") as a string or {"code": ...}; or {"score": n}, the item '
    "score after reverse keying (FHIR ordinalValue). A bare number on a reverse-scored or "
    "position-coded item (EPDS 3, 5-10; CORE-10 2, 3; PSS-10 4, 5, 7, 8) is ambiguous and "
    "refused with a 422 naming the item."
)


class AnswerCode(Schema):
    """An answer given by the option's code (LOINC LA code or Careloop-local code)."""

    model_config = ConfigDict(extra="forbid")
    code: StrictStr = Field(max_length=64)


class AnswerScore(Schema):
    """An answer given by its item score (after reverse keying; the FHIR ordinalValue)."""

    model_config = ConfigDict(extra="forbid")
    score: StrictInt


AnswerIn = StrictInt | StrictStr | AnswerCode | AnswerScore | None


class AssessmentIn(Schema):
    instrument: str = Field(description='Instrument id, e.g. "phq9"', max_length=32)
    answers: list[AnswerIn] = Field(description=ANSWERS_DESCRIPTION, max_length=40)
    client_id: uuid.UUID = Field(
        description="Chosen by the client; re-sending the same submission stores it only once"
    )
    completed_at: datetime | None = Field(
        default=None,
        description="When the patient finished (offline clients), with a time zone; default now. "
        "More than 5 minutes in the future, or before 1980, is refused with a 422.",
    )

    def raw_answers(self) -> list[object]:
        """The answers as plain JSON values, for instruments.answer_input.decode_answers."""
        return [
            answer.model_dump() if isinstance(answer, AnswerCode | AnswerScore) else answer
            for answer in self.answers
        ]


class AssessmentOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    instrument: str
    instrument_version: str
    answers: list[int | None] = Field(description="Response values in item order; null = none")
    status: str = Field(
        description='"complete", or "incomplete": stored unscored because a risk item was '
        "answered while other items are missing (total is then null)"
    )
    missing_items: list[str] = Field(description="linkIds still to answer when incomplete")
    total: float | None
    band: str
    caseness: bool | None
    prorated: bool
    risk_flags: list[dict[str, Any]]
    completed_at: datetime
    client_id: uuid.UUID
    meaning: str
