"""The staff MFA gate: staff who have not passed TOTP this session reach nothing but sign-in."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

# Paths a half-signed-in staff member may reach: sign-in, MFA, static files and the health check.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz")


class StaffMfaRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        needs_mfa = (
            user.is_authenticated
            and getattr(user, "is_staff_role", False)
            and not user.is_verified()  # type: ignore[attr-defined]  # added by OTPMiddleware
        )
        if needs_mfa and not request.path.startswith(_OPEN_PREFIXES):
            message = "Multi-factor authentication is required for staff."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            if request.path.startswith("/fhir/"):
                outcome = {
                    "resourceType": "OperationOutcome",
                    "issue": [{"severity": "error", "code": "security", "diagnostics": message}],
                }
                return JsonResponse(outcome, status=403, content_type="application/fhir+json")
            return redirect("accounts:verify")
        return self.get_response(request)
