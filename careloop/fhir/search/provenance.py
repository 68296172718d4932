"""Search over import provenance: one Provenance per imported patient and screening total."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from careloop.assessments.selectors import assessments_visible_to
from careloop.care.selectors import patients_visible_to
from careloop.fhir.mapping.common import reference
from careloop.fhir.mapping.observation import TOTAL, observation_id
from careloop.fhir.mapping.provenance import provenance_resource
from careloop.fhir.models import ImportedResource
from careloop.fhir.search.common import Page, as_uuid, ids_q, window
from careloop.fhir.search.params import SearchRequest, reference_id

if TYPE_CHECKING:
    from careloop.accounts.models import User


def _visible(user: User, patient_ids: list[uuid.UUID] | None) -> Q:
    patients = patients_visible_to(user)
    assessments = assessments_visible_to(user)
    if patient_ids is not None:
        patients = patients.filter(id__in=patient_ids)
        assessments = assessments.filter(patient_id__in=patient_ids)
    return Q(local_type="Patient", local_id__in=patients.values("id")) | Q(
        local_type="Assessment", local_id__in=assessments.values("id")
    )


def _target_q(request: SearchRequest) -> Q | None:
    values = request.values("target")
    if not values:
        return None
    ids = []
    for value in values:
        kind, _, rest = value.rpartition("/")
        kind = kind.rsplit("/", 1)[-1]
        if kind == "Observation" and rest.endswith(f"-{TOTAL}"):
            ids.append(as_uuid(rest.removesuffix(f"-{TOTAL}")))
        elif kind == "Patient":
            ids.append(as_uuid(rest))
    return Q(local_id__in=[i for i in ids if i is not None])


def _patient_ids(request: SearchRequest) -> list[uuid.UUID] | None:
    values = request.values("patient")
    if not values:
        return None
    ids = [as_uuid(reference_id(value, "Patient")) for value in values]
    return [i for i in ids if i is not None]


def search_provenance(user: User, request: SearchRequest) -> Page:
    if user.service_id is None:
        return Page()
    rows: QuerySet[ImportedResource] = ImportedResource.objects.filter(
        _visible(user, _patient_ids(request)), service_id=user.service_id
    )
    for condition in (ids_q(request, "_id", "id", "Provenance"), _target_q(request)):
        if condition is not None:
            rows = rows.filter(condition)
    found, total = window(rows.order_by("imported_at", "id"), request)
    owners = dict(
        assessments_visible_to(user)
        .filter(id__in=[r.local_id for r in found if r.local_type == "Assessment"])
        .values_list("id", "patient_id")
    )
    page = Page(total=total)
    for row in found:
        if row.local_id is None:
            continue  # only support identities have no local row, and they are never selected
        patient_id: uuid.UUID | None
        if row.local_type == "Patient":
            target, patient_id = reference("Patient", row.local_id), row.local_id
        else:
            target = reference("Observation", observation_id(row.local_id, TOTAL))
            patient_id = owners.get(row.local_id)
        page.matches.append(provenance_resource(row, target))
        if patient_id is not None:
            page.patient_ids.add(patient_id)
    return page
