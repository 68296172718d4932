"""The fallback banner on every staff page, not only the alert pages.

When nobody could be reached for an urgent alert (safety.services.fallback), every staff member
of the service must see it wherever they are in the app. One indexed query per staff page
(FallbackBanner: service, resolved_at); nothing at all for patients and anonymous visitors.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from careloop.accounts.selectors import signed_in_user
from careloop.safety.selectors import banner_summaries_for


def fallback_banners(request: HttpRequest) -> dict[str, Any]:
    user = signed_in_user(request)
    if user is None or not user.is_staff_role:
        return {}
    # Lazy: evaluated only when a template renders it (a JSON or redirect response never does).
    return {"fallback_banners": SimpleLazyObject(lambda: banner_summaries_for(user))}
