"""Reads of privacy's records for other domains (privacy's models are private to it).

Privacy sits below care, so these reads cannot apply care-team membership themselves: a caller
that must narrow to a reader's teams passes the team ids it got from careloop.care.selectors.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from careloop.accounts.types import Role
from careloop.privacy.models import BreakGlassGrant, ConsentDecision, ConsentDocument

if TYPE_CHECKING:
    from careloop.accounts.models import User

REVIEWERS = (Role.SUPERVISOR, Role.SERVICE_ADMIN)


def consent_documents_published(service_id: uuid.UUID) -> bool:
    """Whether the service has published any consent text (else the packaged ones apply)."""
    return ConsentDocument.objects.filter(service_id=service_id).exists()


def break_glass_grants_to_review(
    reader: User, *, since: datetime, team_ids: QuerySet[Any, uuid.UUID] | None
) -> QuerySet[BreakGlassGrant] | None:
    """Emergency accesses started since `since` in the reader's service, newest first, for a
    supervisor or service admin to review; None if `reader` reviews none (the page is then
    404). A supervisor passes the ids of their teams: only those teams' patients are shown."""
    if reader.service_id is None or reader.role not in REVIEWERS:
        return None
    grants = BreakGlassGrant.objects.filter(service_id=reader.service_id, started_at__gte=since)
    if reader.role == Role.SUPERVISOR:
        grants = grants.filter(patient__care_team__in=team_ids if team_ids is not None else [])
    return grants.select_related("clinician", "patient").order_by("-started_at")


def has_consent_decisions(patient_id: uuid.UUID) -> bool:
    """Whether the patient has recorded any consent decision (for the demo loader)."""
    return ConsentDecision.objects.filter(patient_id=patient_id).exists()
