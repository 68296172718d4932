"""JSON API: the clinician's caseload registry."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from careloop.accounts.api import api_user
from careloop.audit.models import AuditAction, Purpose
from careloop.audit.services import record_patient_reads
from careloop.monitoring.selectors import caseload_rows

router = Router(tags=["monitoring"], auth=django_auth)


class CaseloadRowOut(Schema):
    patient_id: uuid.UUID
    display_name: str
    team: str
    open_alerts: int
    phq9_baseline: float | None
    phq9_latest: float | None
    phq9_change: float | None
    gad7_baseline: float | None
    gad7_latest: float | None
    gad7_change: float | None
    last_submission_at: datetime | None


@router.get("/caseload", response=list[CaseloadRowOut], summary="My care teams' patients")
def caseload(request: HttpRequest) -> list[CaseloadRowOut]:
    user = api_user(request)
    rows = caseload_rows(user)
    if rows and user.service_id is not None:
        record_patient_reads(
            actor=user,
            action=AuditAction.CASELOAD_VIEWED,
            service_id=user.service_id,
            patient_ids=[row.patient.id for row in rows],
            purpose=Purpose.TREATMENT,
        )
    return [
        CaseloadRowOut(
            patient_id=row.patient.id,
            display_name=row.patient.display_name,
            team=row.patient.care_team.name,
            open_alerts=row.open_alerts,
            phq9_baseline=row.phq9_baseline,
            phq9_latest=row.phq9_latest,
            phq9_change=row.phq9_change,
            gad7_baseline=row.gad7_baseline,
            gad7_latest=row.gad7_latest,
            gad7_change=row.gad7_change,
            last_submission_at=row.last_submission_at,
        )
        for row in rows
    ]
