"""Audit of the caseload registry's reads (the page and the API record the same)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from careloop.audit.services import record_patient_reads
from careloop.audit.types import AuditAction, PurposeOfUse

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.monitoring.selectors import CaseloadRow


def record_caseload_viewed(
    user: User, rows: list[CaseloadRow], *, source_ip: str | None = None
) -> None:
    """Audit one read per patient the registry showed (the page and the API say the same)."""
    if rows and user.service_id is not None:
        record_patient_reads(
            actor=user,
            action=AuditAction.CASELOAD_VIEWED,
            service_id=user.service_id,
            patient_ids=[row.patient.id for row in rows],
            purpose=PurposeOfUse.TREAT,
            source_ip=source_ip,
        )
