"""The audit action → standard code table (mapping.audit_event.STANDARD_CODES), checked whole."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from careloop.audit.types import AuditAction
from careloop.fhir.mapping.audit_event import (
    DICOM,
    RESTFUL_INTERACTION,
    STANDARD_CODES,
    action_code,
    audit_event_resource,
)

# http://hl7.org/fhir/restful-interaction (R4) and the DICOM codes of the audit-event-type set.
RESTFUL = frozenset(
    "read vread update patch delete history history-instance history-type history-system "  # noqa: SIM905
    "create search search-type search-system search-compartment capabilities transaction "
    "batch operation".split()
)
DICOM_TYPES = {f"1101{n:02d}" for n in range(15)}
# The letter (AuditEvent.action) of a few actions whose verb alone read as E or otherwise.
LETTERS = {
    "message.sent": "C", "journal.entry_written": "C", "privacy.consent_given": "C",
    "privacy.consent_withdrawn": "C", "patient.listed_in_caseload": "R",
    "safety_plan.version_saved": "U", "rights.erased": "D", "alert.notified": "E",
    "rights.exported": "E", "fhir.bulk_export_cancelled": "D",
}  # fmt: skip


def test_the_table_covers_every_audit_action() -> None:
    assert set(STANDARD_CODES) == {action.value for action in AuditAction}


@pytest.mark.parametrize("action", sorted(STANDARD_CODES))
def test_each_row_uses_standard_codes(action: str) -> None:
    codes = STANDARD_CODES[action]
    assert codes.type["system"] == DICOM and codes.type["code"] in DICOM_TYPES
    if codes.interaction is None:
        return
    assert codes.interaction in RESTFUL


@pytest.mark.parametrize(("action", "letter"), sorted(LETTERS.items()))
def test_the_action_letter_follows_the_interaction(action: str, letter: str) -> None:
    assert action_code(action) == letter


def test_a_retired_action_is_read_from_its_verb() -> None:
    assert action_code("journal.entry_deleted") == "D"
    assert action_code("something.happened") == "E"


@dataclass
class Row:
    action: str
    detail: dict[str, Any] = field(default_factory=dict)
    id: int = 1
    occurred_at: datetime = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    actor_id: uuid.UUID | None = None
    actor_role: str = ""
    purpose: str = ""
    object_type: str = ""
    object_id: str = ""
    source_ip: str | None = None


def _event(row: Row) -> dict[str, Any]:
    return audit_event_resource(
        row, patient_id=uuid.uuid4(), actor_is_patient=False, include_network=False
    )


def test_an_event_carries_the_local_and_the_standard_subtype() -> None:
    event = _event(Row("message.sent"))
    assert event["type"]["code"] == "110110"
    assert event["subtype"] == [
        {"system": "https://careloop.example/fhir/CodeSystem/audit-action", "code": "message.sent"},
        {"system": RESTFUL_INTERACTION, "code": "create"},
    ]


def test_a_fhir_api_event_is_rest_with_the_interaction_it_recorded() -> None:
    event = _event(Row("patient.viewed", {"via": "fhir", "interaction": "vread"}))
    assert event["type"]["code"] == "rest"
    assert event["subtype"][1] == {"system": RESTFUL_INTERACTION, "code": "vread"}


def test_an_action_with_no_fitting_interaction_keeps_only_its_own_code() -> None:
    event = _event(Row("alert.notified"))
    assert [s["code"] for s in event["subtype"]] == ["alert.notified"]
