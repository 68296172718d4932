"""FHIR R4 shapes for the record types the FHIR facade does not publish, used only by the
patient's own export: courses of care, check-ins, journal entries, messages and notifications
(Communication), sign-in devices and break-glass grants.

No Django imports: inputs are plain values, so every shape is checked by the shared FHIR
validator in the tests (careloop/rights/tests/test_export.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from careloop.fhir.mapping.common import (
    OBSERVATION_CATEGORY,
    Resource,
    instant,
    reference,
    with_meta,
)
from careloop.fhir.mapping.patient_record import EXTENSION_BASE, RECORD_SYSTEM, ending_display

EXTENSION = EXTENSION_BASE  # the export's extensions: <EXTENSION>/<id>, served as definitions

ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
DICOM = "http://dicom.nema.org/resources/ontology/DCM"
EPISODE_STATUS = {"ongoing": "active", "completed": "finished", "dropped_out": "finished"}


def _code(code: str, text: str) -> Resource:
    return {"coding": [{"system": RECORD_SYSTEM, "code": code}], "text": text}


def episode_of_care(
    *,
    episode_id: uuid.UUID,
    patient_id: uuid.UUID,
    care_team_id: uuid.UUID,
    referred_on: date,
    started_on: date,
    ended_on: date | None,
    ending: str,
    sessions_attended: int | None,
) -> Resource:
    period: dict[str, str] = {"start": started_on.isoformat()}
    if ended_on is not None:
        period["end"] = ended_on.isoformat()
    resource: Resource = {
        "resourceType": "EpisodeOfCare",
        "id": str(episode_id),
        "status": EPISODE_STATUS.get(ending, "active"),
        "statusHistory": [
            {"status": "planned", "period": {"start": referred_on.isoformat()}},
            {"status": EPISODE_STATUS.get(ending, "active"), "period": period},
        ],
        "type": [_code(f"ending-{ending}", ending_display(ending))],
        "patient": reference("Patient", patient_id),
        "period": period,
        "team": [reference("CareTeam", care_team_id)],
    }
    if sessions_attended is not None:
        resource["extension"] = [
            {"url": f"{EXTENSION}/sessions-attended", "valueInteger": sessions_attended}
        ]
    return with_meta(resource, None)


def mood_observation(
    *,
    record_id: uuid.UUID,
    patient_id: uuid.UUID,
    code: str,
    text: str,
    mood: int | None,
    note: str,
    effective: datetime,
    issued: datetime,
) -> Resource:
    """A check-in (`code` "checkin": mood 0-10 and its note) or a journal entry ("journal")."""
    resource: Resource = {
        "resourceType": "Observation",
        "id": str(record_id),
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": _code(code, text),
        "subject": reference("Patient", patient_id),
        "effectiveDateTime": instant(effective),
        "issued": instant(issued),
    }
    if mood is not None:
        resource["valueInteger"] = mood
    elif not note:
        resource["dataAbsentReason"] = {"text": "not recorded"}
    if note:
        if mood is None:
            resource["valueString"] = note
        else:
            resource["note"] = [{"text": note}]
    return with_meta(resource, issued)


def communication(
    *,
    record_id: uuid.UUID,
    patient_id: uuid.UUID,
    category: str,
    category_text: str,
    status: str,
    sent: datetime | None,
    medium: str = "",
    recipient: Sequence[dict[str, str]] = (),
    sender: dict[str, str] | None = None,
    about: Sequence[dict[str, str]] = (),
    payload: Sequence[str] = (),
    received: datetime | None = None,
) -> Resource:
    """One message to or about the patient (`status` from the R4 event-status value set)."""
    resource: Resource = {
        "resourceType": "Communication",
        "id": str(record_id),
        "status": status,
        "category": [_code(category, category_text)],
        "subject": reference("Patient", patient_id),
    }
    if medium:
        resource["medium"] = [{"text": medium}]
    if sent is not None:
        resource["sent"] = instant(sent)
    if received is not None:
        resource["received"] = instant(received)
    if recipient:
        resource["recipient"] = list(recipient)
    if sender is not None:
        resource["sender"] = sender
    if about:
        resource["about"] = list(about)
    if payload:
        resource["payload"] = [{"contentString": text} for text in payload if text]
        if not resource["payload"]:
            del resource["payload"]
    return with_meta(resource, sent)


def device(
    *, record_id: object, patient_id: uuid.UUID, name: str, active: bool, added: datetime | None
) -> Resource:
    """A sign-in app or browser registered by the patient; never its keys or endpoint."""
    resource: Resource = {
        "resourceType": "Device",
        "id": str(record_id),
        "status": "active" if active else "inactive",
        "deviceName": [{"name": name, "type": "user-friendly-name"}],
        "patient": reference("Patient", patient_id),
    }
    if added is not None:
        resource["note"] = [{"text": f"Added {instant(added)}"}]
    return with_meta(resource, added)


def reminder_settings(
    *, record_id: uuid.UUID, patient_id: uuid.UUID, words: str, updated: datetime
) -> Resource:
    """The patient's own reminder choices (FHIR has no resource for them: a Basic with words)."""
    resource: Resource = {
        "resourceType": "Basic",
        "id": str(record_id),
        "code": {"text": "Reminder settings"},
        "subject": reference("Patient", patient_id),
        "created": updated.date().isoformat(),
        "extension": [{"url": f"{EXTENSION}/reminder-settings", "valueString": words}],
    }
    return with_meta(resource, updated)


def break_glass_event(
    *,
    record_id: uuid.UUID,
    patient_id: uuid.UUID,
    clinician_id: uuid.UUID,
    reason: str,
    started_at: datetime,
    expires_at: datetime,
    ended_at: datetime | None,
) -> Resource:
    """Emergency access by a clinician outside the care team, with the reason they gave."""
    resource: Resource = {
        "resourceType": "AuditEvent",
        "id": str(record_id),
        "type": {"system": DICOM, "code": "110113", "display": "Security Alert"},
        "subtype": [{"system": DICOM, "code": "110127", "display": "Emergency Override Started"}],
        "action": "E",
        "period": {"start": instant(started_at), "end": instant(ended_at or expires_at)},
        "recorded": instant(started_at),
        "purposeOfEvent": [{"coding": [{"system": ACT_REASON, "code": "ETREAT"}]}],
        "agent": [{"who": reference("Practitioner", clinician_id), "requestor": True}],
        "source": {"observer": {"display": "Careloop"}},
        "entity": [{"what": reference("Patient", patient_id), "description": reason}],
    }
    return with_meta(resource, started_at)


def with_contact_details(
    patient: Resource, *, email: str, phone: str, extras: Mapping[str, Any]
) -> Resource:
    """The Patient resource plus what the facade leaves out: telecom and Careloop's extras."""
    resource = {key: value for key, value in patient.items() if key != "meta"}
    telecom = [{"system": "email", "value": email}] if email else []
    telecom += [{"system": "phone", "value": phone}] if phone else []
    if telecom:
        resource["telecom"] = telecom
    extensions = []
    for name, value in extras.items():
        if isinstance(value, bool) or value in ("", None):
            continue
        kind = "valueInteger" if isinstance(value, int) else "valueString"
        extensions.append({"url": f"{EXTENSION}/{name}", kind: value})
    if extensions:
        resource["extension"] = extensions
    last_updated = patient.get("meta", {}).get("lastUpdated")
    meta_source = with_meta(resource, None)
    if last_updated:
        meta_source["meta"]["lastUpdated"] = last_updated
    return meta_source


def clinical_impression(
    *,
    record_id: uuid.UUID,
    patient_id: uuid.UUID,
    code: str,
    code_text: str,
    occurred: datetime,
    assessor_id: uuid.UUID | None,
    summary: str,
    note: str = "",
    episode_id: uuid.UUID | None = None,
) -> Resource:
    """A clinician's judgement about the patient's care: a stepped-care change (the step and
    the reason) or a supervisor's case review (the outcome and the note)."""
    resource: Resource = {
        "resourceType": "ClinicalImpression",
        "id": str(record_id),
        "status": "completed",
        "code": _code(code, code_text),
        "subject": reference("Patient", patient_id),
        "date": instant(occurred),
        "summary": summary,
    }
    if episode_id is not None:
        resource["encounter"] = reference("EpisodeOfCare", episode_id)
    if assessor_id is not None:
        resource["assessor"] = reference("Practitioner", assessor_id)
    if note:
        resource["note"] = [{"text": note}]
    return with_meta(resource, occurred)
