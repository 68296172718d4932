"""The emergency-access banner on every page of a clinician holding a break-glass grant.

Access under a grant is time-boxed (60 minutes) and every view is recorded: the clinician must
see that, and the time left, wherever they are in the app, not only on the emergency page.
One indexed query per care-team page, run only when a template renders it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from careloop.accounts.selectors import signed_in_user
from careloop.core import clock
from careloop.privacy import breakglass

if TYPE_CHECKING:
    from careloop.accounts.models import User


def _grants_with_minutes_left(user: User) -> list[tuple[Any, int]]:
    now = clock.now()
    return [
        (grant, max(0, int((grant.expires_at - now).total_seconds() // 60)))
        for grant in breakglass.active_grants_of(user)
    ]


def emergency_access(request: HttpRequest) -> dict[str, Any]:
    user = signed_in_user(request)
    if user is None or not user.works_in_care_team:
        return {}
    return {"emergency_grants": SimpleLazyObject(lambda: _grants_with_minutes_left(user))}
