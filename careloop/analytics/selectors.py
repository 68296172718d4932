"""Reads for analytics: which service a report may be about, and the counts the DB can do.

Reports are about a whole service, so access is by role, not by care team: a supervisor or a
service admin sees the reports of their own service; anyone else gets NotFound (HTTP 404), the
same answer as for a service that does not exist.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from careloop.accounts.types import Role
from careloop.care.selectors import referral_count_for_system
from careloop.core.errors import NotFound
from careloop.core.selectors import service_with_id, service_with_slug

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.core.models import Service

REPORT_ROLES = frozenset({Role.SUPERVISOR, Role.SERVICE_ADMIN})


def report_service_for(user: User) -> Service:
    """The service whose reports `user` may read, or NotFound."""
    if not user.is_authenticated or user.role not in REPORT_ROLES or user.service_id is None:
        raise NotFound("report")
    service = service_with_id(user.service_id)
    if service is None:
        raise NotFound("report")
    return service


def service_by_slug(slug: str) -> Service:
    """For operators at the command line (no user: the shell is already trusted)."""
    service = service_with_slug(slug)
    if service is None:
        raise NotFound(f"service {slug!r}")
    return service


def referral_count(
    service_id: uuid.UUID, *, referred_from: date | None, referred_to: date | None
) -> int:
    """Episodes referred in the period (all of them without a period): one COUNT query."""
    return referral_count_for_system(
        service_id, referred_from=referred_from, referred_to=referred_to
    )
