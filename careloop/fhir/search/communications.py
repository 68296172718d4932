"""Search over Communications: the messages of a patient's conversation with their care team."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from careloop.fhir.mapping.communication import TO_TEAM, communication_resource
from careloop.fhir.mapping.patient import patient_resource
from careloop.fhir.search.common import Page, apply, as_uuid, date_q, ids_q, ordered, window
from careloop.fhir.search.params import SearchRequest, reference_id
from careloop.messaging.selectors import messages_visible_to

if TYPE_CHECKING:
    from careloop.accounts.models import User

_SORT = {"sent": "sent_at", "_lastUpdated": "last_updated"}
_NEWEST_FIRST = ["-sent_at", "-id"]


def _sender_q(request: SearchRequest) -> Q | None:
    """sender=Patient/<id> (messages to the team) or Practitioner/<id> (from that member)."""
    values = request.values("sender")
    if not values:
        return None
    wanted = Q(pk__in=[])
    for value in values:
        patient = as_uuid(reference_id(value, "Patient"))
        staff = as_uuid(reference_id(value, "Practitioner"))
        if patient is not None:
            wanted |= Q(patient_id=patient, direction=TO_TEAM)
        if staff is not None:
            wanted |= Q(sender_id=staff) & ~Q(direction=TO_TEAM)
    return wanted


def search_communications(user: User, request: SearchRequest) -> Page:
    statuses = request.values("status")
    rows = messages_visible_to(user).annotate(last_updated=Coalesce(F("read_at"), F("sent_at")))
    rows = apply(
        rows.select_related("patient"),
        [
            ids_q(request, "_id", "id", "Communication"),
            ids_q(request, "patient", "patient_id", "Patient"),
            ids_q(request, "subject", "patient_id", "Patient"),
            _sender_q(request),
            date_q(request, "sent", "sent_at"),
            date_q(request, "_lastUpdated", "last_updated"),
            Q(pk__in=[]) if statuses and "completed" not in statuses else None,
        ],
    )
    found, total = window(ordered(rows, request, _SORT, _NEWEST_FIRST), request)
    # The selector admits only the patient and their care team: both may read the text.
    page = Page(
        matches=[
            communication_resource(m, care_team_id=m.patient.care_team_id, include_text=True)
            for m in found
        ],
        total=total,
        patient_ids={m.patient_id for m in found},
    )
    if {"Communication:subject", "Communication:patient"} & set(request.includes):
        patients = {m.patient_id: m.patient for m in found}
        page.included = [patient_resource(p) for p in patients.values()]
    return page
