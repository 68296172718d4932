"""Search over the audit trail as FHIR AuditEvents (read-only).

The trail names patients only by keyed HMAC (careloop.audit.selectors), so a search starts from
the patients the reader may see (care.selectors): a patient sees their own record's events, a
care-team member the events of their patients, always within their own service. Staff must name
the patient (`patient=`): the trail of a whole caseload is the auditors' report, not a search.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from careloop.accounts.types import Role
from careloop.audit.selectors import events_for_patient, events_for_patients, patient_ref
from careloop.audit.types import PurposeOfUse
from careloop.care.selectors import patients_visible_to
from careloop.fhir.mapping.audit_event import (
    ACTION_SYSTEM,
    ACTION_VERBS,
    BREAK_GLASS,
    DICOM,
    FHIR_INTERACTIONS,
    REST,
    RESTFUL_INTERACTION,
    STANDARD_CODES,
    action_code,
    audit_event_resource,
)
from careloop.fhir.search.common import Page, apply, as_uuid, date_q, ordered, window
from careloop.fhir.search.parameters import SEARCHES
from careloop.fhir.search.params import SearchError, SearchRequest, reference_id, token

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.audit.models import AuditEvent

_SORT = {"date": "occurred_at"}
_NEWEST_FIRST = ["-occurred_at", "-seq"]
_SEARCH = SEARCHES["AuditEvent"]


def _verb_q(verbs: Iterable[str]) -> Q:
    """Rows whose action ends in one of `verbs` (as `audit_event.action_code` reads it)."""
    matched = Q(pk__in=[])
    for verb in verbs:
        matched |= Q(action__endswith=f".{verb}") | Q(action__endswith=f"_{verb}")
    return matched


def _action_code_q(code: str) -> Q:
    """The rows `audit_event.action_code` maps to `code`: the table's actions with that letter,
    and rows of actions the table does not know whose verb reads as it."""
    known = Q(action__in=list(STANDARD_CODES))
    letter = Q(action__in=[a for a in STANDARD_CODES if action_code(a) == code])
    return letter | (~known & _verb_code_q(code))


def _verb_code_q(code: str) -> Q:
    """The rows `audit_event.verb_action_code` maps to `code` (it tries R, C, U, D in order)."""
    earlier = Q(pk__in=[])
    for candidate, verbs in ACTION_VERBS.items():
        if candidate == code:
            return _verb_q(verbs) & ~earlier
        earlier |= _verb_q(verbs)
    return ~earlier if code == "E" else Q(pk__in=[])


def _action_q(request: SearchRequest) -> Q | None:
    values = request.values("action")
    if not values:
        return None
    wanted = Q(pk__in=[])
    for value in values:
        wanted |= _action_code_q(value.rpartition("|")[2])
    return wanted


# has_key first: a JSON key's lookup is NULL on rows without the key, and its negation too.
_VIA_FHIR = Q(detail__has_key="via") & Q(detail__via="fhir")
_FHIR_INTERACTION = (
    _VIA_FHIR
    & Q(detail__has_key="interaction")
    & Q(detail__interaction__in=sorted(FHIR_INTERACTIONS))
)


def _subtype_q(request: SearchRequest) -> Q | None:
    """subtype=[system|]code: a Careloop audit action, a restful-interaction code (as
    `audit_event.standard_codes` assigns it) or DICOM 110127 (break-glass)."""
    values = request.values("subtype")
    if not values:
        return None
    wanted = Q(pk__in=[])
    for value in values:
        parsed = token(value)
        system, code = parsed.system, parsed.code
        if system in (None, ACTION_SYSTEM):
            wanted |= Q(action=code)
        if system in (None, RESTFUL_INTERACTION):
            by_table = [a for a, codes in STANDARD_CODES.items() if codes.interaction == code]
            wanted |= (_FHIR_INTERACTION & Q(detail__interaction=code)) | (
                ~_FHIR_INTERACTION & Q(action__in=by_table)
            )
        if system in (None, DICOM) and code == BREAK_GLASS["code"]:
            wanted |= Q(purpose=PurposeOfUse.ETREAT) | Q(action__contains="break_glass")
    return wanted


def _type_q(request: SearchRequest) -> Q | None:
    """type=[system|]code: `rest` (recorded by the FHIR API) or a DICOM type of STANDARD_CODES."""
    values = request.values("type")
    if not values:
        return None
    wanted = Q(pk__in=[])
    for value in values:
        parsed = token(value)
        system, code = parsed.system, parsed.code
        if system in (None, REST["system"]) and code == REST["code"]:
            wanted |= _VIA_FHIR
        if system in (None, DICOM):
            typed = [a for a, codes in STANDARD_CODES.items() if codes.type["code"] == code]
            wanted |= ~_VIA_FHIR & Q(action__in=typed)
    return wanted


def _patients(user: User, request: SearchRequest) -> dict[uuid.UUID, uuid.UUID | None]:
    """Patient id → login id of the patients whose trail the search may cover."""
    visible = patients_visible_to(user)
    wanted = request.values("patient")
    if wanted:
        ids = [as_uuid(reference_id(value, "Patient")) for value in wanted]
        visible = visible.filter(id__in=[i for i in ids if i is not None])
    elif user.role != Role.PATIENT and not _SEARCH.names_required(
        name for name in request.params if request.values(name)
    ):
        raise SearchError(
            "an AuditEvent search names the patient: patient=<Patient id>", parameter="patient"
        )
    return dict(visible.values_list("id", "user_id"))


def _agent_q(request: SearchRequest, patients: dict[uuid.UUID, uuid.UUID | None]) -> Q | None:
    values = request.values("agent")
    if not values:
        return None
    actors = []
    for value in values:
        staff = as_uuid(reference_id(value, "Practitioner"))
        patient = as_uuid(reference_id(value, "Patient"))
        if staff is not None:
            actors.append(staff)
        login = patients.get(patient) if patient is not None else None
        if login is not None:
            actors.append(login)
    return Q(actor_id__in=actors)


def _ids_q(request: SearchRequest) -> Q | None:
    values = request.values("_id")
    if not values:
        return None
    return Q(id__in=[int(v) for v in values if v.isdigit() and len(v) < 19])


def _trail(user: User, refs: dict[str, uuid.UUID]) -> QuerySet[AuditEvent]:
    if user.service_id is not None and len(refs) == 1:
        (patient_id,) = refs.values()
        return events_for_patient(service_id=user.service_id, patient_id=patient_id)
    return events_for_patients(service_id=user.service_id, patient_ids=list(refs.values()))


def search_audit_events(user: User, request: SearchRequest) -> Page:
    patients = _patients(user, request)
    refs = {patient_ref(patient_id): patient_id for patient_id in patients}
    rows = apply(
        _trail(user, refs),
        [
            _ids_q(request),
            date_q(request, "date", "occurred_at"),
            _agent_q(request, patients),
            _action_q(request),
            _subtype_q(request),
            _type_q(request),
        ],
    )
    found, total = window(ordered(rows, request, _SORT, _NEWEST_FIRST), request)
    page = Page(total=total)
    for event in found:
        patient_id = refs[event.patient_ref]
        login = patients[patient_id]
        page.matches.append(
            audit_event_resource(
                event,
                patient_id=patient_id,
                actor_is_patient=login is not None and event.actor_id == login,
                include_network=user.is_staff_role,
            )
        )
        page.patient_ids.add(patient_id)
    return page
