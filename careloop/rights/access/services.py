"""Small pieces the access pages need beyond careloop.privacy: lazy publication of the packaged
consent texts, and the supervisors' review of emergency accesses (a read, audited)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet

from careloop.accounts.types import Role
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.care.selectors import teams_of
from careloop.core import clock
from careloop.privacy.policy import PurposeOfUse
from careloop.privacy.selectors import break_glass_grants_to_review, consent_documents_published
from careloop.privacy.services import publish_default_documents

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.privacy.models import BreakGlassGrant

REVIEW_WINDOW = timedelta(days=90)


def ensure_consent_documents(service_id: uuid.UUID) -> None:
    """A service that never published its own texts starts from the packaged version 1."""
    if not consent_documents_published(service_id):
        publish_default_documents(service_id)


def grants_to_review(user: User) -> QuerySet[BreakGlassGrant] | None:
    """Recent grants a reviewer may see; None if `user` reviews none (the page is then 404)."""
    teams = teams_of(user).values_list("id", flat=True) if user.role == Role.SUPERVISOR else None
    return break_glass_grants_to_review(user, since=clock.now() - REVIEW_WINDOW, team_ids=teams)


def record_review(user: User, grants: list[BreakGlassGrant], *, source_ip: str | None) -> None:
    """The reviewer saw each grant's patient and reason: one audit event per patient shown."""
    with transaction.atomic():
        for grant in grants:
            record_event(
                actor=user,
                action=AuditAction.BREAK_GLASS_REVIEWED,
                service_id=grant.service_id,
                patient_id=grant.patient_id,
                purpose=PurposeOfUse.HOPERAT,
                obj=("BreakGlassGrant", grant.id),
                source_ip=source_ip,
                detail={"grant_id": str(grant.id)},
            )
