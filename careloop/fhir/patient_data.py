"""FHIR's patient data (registry: careloop.core.patient_data): where imported records came
from, bulk-export files that include the patient, and the access keys of apps the patient
allowed to read their record; connected-app registrations and export jobs name no patient."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from oauth2_provider.models import (
    AccessToken,
    Application,
    DeviceGrant,
    Grant,
    IDToken,
    RefreshToken,
)

from careloop.assessments.patient_data import assessment_ids_of, erasable_assessments
from careloop.core import clock
from careloop.core.patient_data import (
    EXPORT_CHUNK,
    CountOf,
    PatientData,
    PatientScope,
    delete_rows,
    register,
)
from careloop.fhir.models import ExportJob, ExportPart, ImportedResource, SmartClient

if TYPE_CHECKING:
    from careloop.accounts.models import User


def _imports(scope: PatientScope) -> Iterator[ImportedResource]:
    patient = scope.patient
    rows = ImportedResource.objects.filter(
        service_id=patient.service_id, local_type="Patient", local_id=patient.id
    ) | ImportedResource.objects.filter(
        service_id=patient.service_id,
        local_type="Assessment",
        local_id__in=assessment_ids_of(patient),
    )
    return rows.order_by("imported_at").iterator(EXPORT_CHUNK)


def _erase_imports(scope: PatientScope) -> int:
    patient = scope.patient
    local = Q(local_type="Patient", local_id=patient.id) | Q(
        local_type="Assessment", local_id__in=erasable_assessments(scope).values("id")
    )
    return delete_rows(ImportedResource.objects.filter(local, service_id=patient.service_id))


def _erase_export_parts(scope: PatientScope) -> int:
    # Bulk-export files are NDJSON text naming the patient by id: any file that does is dropped
    # (the connected system exports again); the job's other files stay.
    return delete_rows(ExportPart.objects.filter(content__contains=str(scope.patient.id)))


def _app_tokens(model: type[models.Model]) -> CountOf:
    """A connected app's tokens or grants for the patient: erasing them revokes the app."""

    def erase(scope: PatientScope) -> int:
        if scope.user is None:
            return 0
        return delete_rows(model._default_manager.filter(user=scope.user))

    return erase


register(
    # Both find their rows through other records (ids inside text or a generic pointer), so
    # erasure runs them before those records go.
    PatientData(ExportPart, erase=_erase_export_parts, erase_first=True),  # copies: not exported
    PatientData(ImportedResource, rows=_imports, erase=_erase_imports, erase_first=True),
    # App credentials: listed on the patient's page, never exported.
    *(
        PatientData(model, erase=_app_tokens(model))
        for model in (RefreshToken, AccessToken, IDToken, Grant, DeviceGrant)
    ),
    *(PatientData(model, staff_only=True) for model in (SmartClient, ExportJob, Application)),
)


def authorised_app_count(user: User) -> int:
    """How many connected apps hold an unexpired access key of the patient's login."""
    tokens = AccessToken.objects.filter(user=user, expires__gt=clock.now())
    count: int = tokens.values("application").distinct().count()
    return count
