"""Writes made through the FHIR edge: creating a QuestionnaireResponse; auditing every read."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from careloop.assessments.selectors import assessments_visible_to
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import own_patient_id, patients_visible_to
from careloop.core.errors import DomainError
from careloop.core.ids import uuid7
from careloop.fhir.mapping.questionnaire_response import (
    ResponseRejected,
    client_id_for,
    read_questionnaire_response,
)
from careloop.fhir.search.params import token
from careloop.instruments.library import InvalidDefinition
from careloop.safety.planning.services import record_safety_plan_viewed

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.assessments.models import Assessment
    from careloop.care.models import Patient
    from careloop.safety.planning.models import SafetyPlanVersion


class FhirError(DomainError):
    """An error with its own HTTP status (400 bad search, 412 ambiguous condition, ...).

    `issue_code` overrides the OperationOutcome issue code the status would get (e.g. an
    If-Match version conflict is a 412 `conflict`, not the `duplicate` of a conditional create).
    `expression` overrides where the issue is (None: the FHIR paths the message names, see
    mapping.operation_outcome.fhir_issue; e.g. ("http.If-None-Exist",) for a header).
    """

    def __init__(
        self,
        message: str,
        status_code: int,
        *,
        issue_code: str | None = None,
        expression: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.issue_code = issue_code
        self.expression = expression


def _subject(user: User, patient_id: str) -> Patient:
    try:
        wanted = uuid.UUID(patient_id)
    except ValueError:
        wanted = None
    patient = patients_visible_to(user).filter(id=wanted).first() if wanted else None
    if patient is None:
        # Same answer whether the patient is absent or not visible: no existence oracle.
        raise FhirError(f"subject Patient/{patient_id} not found", 422)
    return patient


IF_NONE_EXIST = "http.If-None-Exist"  # R4: an HTTP parameter is located as "http." + its name


def _conditional_match(user: User, if_none_exist: str) -> Assessment | None:
    """Evaluate If-None-Exist (only `identifier=[system|]value` is supported)."""
    query = parse_qs(if_none_exist.removeprefix("?"), keep_blank_values=True)
    if set(query) != {"identifier"} or len(query["identifier"]) != 1:
        raise FhirError(
            "If-None-Exist supports exactly one identifier=[system|]value",
            400,
            expression=(IF_NONE_EXIST,),
        )
    parsed = token(query["identifier"][0])
    client_id = client_id_for(parsed.system or "", parsed.code)
    matches = list(assessments_visible_to(user).filter(client_id=client_id)[:2])
    if len(matches) > 1:
        raise FhirError(
            "If-None-Exist matches more than one QuestionnaireResponse",
            412,
            expression=(IF_NONE_EXIST,),
        )
    return matches[0] if matches else None


def create_questionnaire_response(
    resource: dict[str, object], *, actor: User, if_none_exist: str | None = None
) -> tuple[Assessment, bool]:
    """Score and store a QuestionnaireResponse through the app's own submission service.

    1. Reduce the response to instrument + answer codes (mapping errors → 422).
    2. The subject must be a patient `actor` may see (patients: only themselves).
    3. If-None-Exist finding one match returns it unchanged (conditional create).
    4. `submit_assessment` validates, scores, stores, audits and runs the safety hooks in one
       transaction; the response's identifier is its client id, so a retry stores nothing new.
    """
    try:
        incoming = read_questionnaire_response(resource)
        if if_none_exist:
            existing = _conditional_match(actor, if_none_exist)
            if existing is not None:
                return existing, False
        patient = _subject(actor, incoming.patient_id)
        answers = incoming.definition.answers_from_codes(incoming.answer_codes)
    except ResponseRejected as error:
        raise FhirError(error.message, error.status) from None
    except InvalidDefinition as error:
        raise FhirError(str(error), 422) from None
    return submit_assessment(
        patient,
        actor=actor,
        instrument_id=incoming.definition.id,
        answers=answers,
        client_id=incoming.client_id or uuid7(),
        source=SubmissionSource.API,
        completed_at=incoming.completed_at,
    )


# Every FHIR type that shows patient data → the audit code of the domain that owns the data.
# Questionnaire, Practitioner and CareTeam hold no patient data and are not audited.
_READ_ACTIONS: dict[str, AuditAction] = {
    "Patient": AuditAction.PATIENT_VIEWED,
    "QuestionnaireResponse": AuditAction.ASSESSMENTS_VIEWED,
    "Observation": AuditAction.ASSESSMENTS_VIEWED,
    "Provenance": AuditAction.ASSESSMENTS_VIEWED,
    "Flag": AuditAction.ALERTS_VIEWED,
    "RiskAssessment": AuditAction.ALERTS_VIEWED,
    "CarePlan": AuditAction.PATIENT_VIEWED,  # measurement plans (safety plans: see below)
    "Consent": AuditAction.PATIENT_VIEWED,
    "Communication": AuditAction.MESSAGE_THREAD_VIEWED,
    "AuditEvent": AuditAction.AUDIT_TRAIL_VIEWED,
}


def record_fhir_reads(
    *,
    actor: User,
    resource_type: str,
    interaction: str,
    patient_ids: Iterable[uuid.UUID],
    source_ip: str | None,
    client_id: str = "",
    safety_plan_versions: Iterable[SafetyPlanVersion] = (),
) -> None:
    """The one place FHIR reads are audited: one event per patient whose data was shown.

    `client_id` is the OAuth client of a bearer-token request (empty for a session); it goes
    into `detail`. A safety plan read is audited by the planning domain's own
    `safety_plan.viewed`, once per version shown, instead of the type's code.
    """
    action = _READ_ACTIONS.get(resource_type)
    if action is None:
        return
    patient_ids = set(patient_ids)
    for version in safety_plan_versions:
        record_safety_plan_viewed(
            version.plan.patient, actor=actor, version=version, what=f"fhir-{interaction}"
        )
        patient_ids.discard(version.plan.patient_id)
    detail = {"via": "fhir", "resource": resource_type, "interaction": interaction}
    if client_id:
        detail["client_id"] = client_id
    own = own_patient_id(actor)
    for patient_id in sorted(patient_ids):
        record_event(
            actor=actor,
            action=action,
            service_id=actor.service_id,
            patient_id=patient_id,
            purpose=PurposeOfUse.PATRQT if patient_id == own else PurposeOfUse.TREAT,
            obj=("Patient", patient_id),
            source_ip=source_ip,
            detail=dict(detail),
        )
