"""The patient's own view of their Patient resource (with `telecom`) and its one write: a patient
updating their contact details (PUT Patient/[id]), through care.services.update_contact_details.

Contact details are shown to the patient only: the care team's Patient has no `telecom`, as in
the app, where staff screens show none either. Because the version id is the content hash, the
patient's representation has its own ETag, and that is the one `If-Match` must name.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import transaction

from careloop.accounts.types import Role
from careloop.care.selectors import own_patient_record, patients_visible_to
from careloop.care.services import lock_contact_rows, update_contact_details
from careloop.core.errors import NotFound
from careloop.fhir.mapping.common import Resource
from careloop.fhir.mapping.patient import (
    ContactDetails,
    UpdateRejected,
    patient_resource,
    read_patient_update,
)
from careloop.fhir.rest.http import etag
from careloop.fhir.search.common import Page
from careloop.fhir.search.params import SearchRequest
from careloop.fhir.search.records import search_patients
from careloop.fhir.services import FhirError

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient


def own_patient_view(patient: Patient, user: User) -> Resource:
    """The Patient as its own patient reads it: with their phone and e-mail."""
    return patient_resource(patient, ContactDetails(phone=user.phone_number, email=user.email))


def search_patients_with_own_contact(user: User, request: SearchRequest) -> Page:
    """Patient search (and read, history, vread): the reader's own record carries `telecom`."""
    page = search_patients(user, request)
    if user.role != Role.PATIENT or not page.matches:
        return page
    try:
        own = own_patient_record(user)
    except NotFound:
        return page
    if own.id in page.patient_ids:
        mine = str(own.id)
        view = own_patient_view(own, user)
        page.matches = [view if r["id"] == mine else r for r in page.matches]
    return page


def _versions_named(if_match: str) -> set[str]:
    """The version ids in an If-Match header (weak or strong entity tags)."""
    names = set()
    for tag in if_match.split(","):
        tag = tag.strip().removeprefix("W/")
        if len(tag) >= 2 and tag[0] == tag[-1] == '"':
            names.add(tag[1:-1])
    return names


def update_own_patient(
    resource: Resource, *, actor: User, patient_id: str, if_match: str | None
) -> Resource:
    """Apply a patient's update of their own Patient; the new resource.

    404: not a patient the actor can see. 403: someone else's record (the care team does not
    change a patient's own contact details). 428: no If-Match (an update must name the version
    it was made from, so a stale app cannot overwrite a newer change). 412: a stale version.
    400/422: the body (see resources.patient.read_patient_update).
    """
    try:
        wanted = uuid.UUID(patient_id)
    except ValueError:
        raise NotFound(f"Patient/{patient_id}") from None
    patient = patients_visible_to(actor).filter(id=wanted).first()
    if patient is None:
        raise NotFound(f"Patient/{patient_id}")
    if patient.user_id != actor.id:
        raise FhirError(
            "a patient's contact details are changed by the patient only, not through FHIR "
            "by staff",
            403,
        )
    if not if_match or if_match.strip() == "*":
        raise FhirError(
            'send If-Match: W/"<versionId>" with the version you read',
            428,
            issue_code="business-rule",
        )
    with transaction.atomic():
        # Lock both rows the view is built from (patient.user_id == actor.id above).
        locked = lock_contact_rows(patient)
        login = locked.user
        assert login is not None  # lock_contact_rows locked it
        current = own_patient_view(locked, login)
        if current["meta"]["versionId"] not in _versions_named(if_match):
            raise FhirError(
                f"version conflict: the current version is {etag(current)}; read it again",
                412,
                issue_code="conflict",
            )
        try:
            change = read_patient_update(resource, current)
        except UpdateRejected as error:
            raise FhirError(error.message, error.status) from None
        update_contact_details(
            actor, locked, phone=change.phone, email=change.email, language=change.language
        )
        login.refresh_from_db(fields=["phone_number", "email"])
        return own_patient_view(locked, login)
