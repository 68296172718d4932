"""`Cache-Control: no-store` on every response that may carry patient data.

A page or API reply about a patient must not stay in a browser's HTTP cache (a shared computer,
the back button after sign-out) or in a proxy. One rule at the edge instead of one header per
view: every response to a signed-in user, and every response under the JSON API, the FHIR API
and the OAuth endpoints (bearer-token clients have no session, and their error replies may still
echo what was asked), is sent with `no-store`. Static files (served before this middleware by
WhiteNoise, with long-lived hashed names) stay cacheable, as do the anonymous public pages.

The safety plan's service worker keeps the crisis page and the offline snapshot in Cache
Storage, which `no-store` does not affect (it governs the HTTP cache only), so offline use still
works.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

NO_STORE = "no-store"
# Answered to clients without a session too (bearer tokens, client credentials, the API's 401s).
ALWAYS_PRIVATE_PREFIXES = ("/api/", "/fhir/", "/o/")


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _may_carry_patient_data(request):
            # Replaces any weaker policy a view set ("private, no-cache", max-age=…): no-store
            # with anything else is either redundant or contradictory.
            if NO_STORE not in response.get("Cache-Control", ""):
                response["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        return response


def _may_carry_patient_data(request: HttpRequest) -> bool:
    if request.path.startswith(ALWAYS_PRIVATE_PREFIXES):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
