"""Session gates: idle/absolute timeouts, and staff who have not passed TOTP reach only sign-in."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from careloop.accounts.auth_audit import record_denied
from careloop.accounts.models import User
from careloop.accounts.sessions import expired_reason

# Paths a half-signed-in staff member may reach: sign-in, MFA, static files and the health check.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz")
_FHIR_PREFIX = "/fhir/"


def _operation_outcome(message: str, *, code: str, status: int) -> JsonResponse:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }
    return JsonResponse(outcome, status=status, content_type="application/fhir+json")


def _carries_bearer_token(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


class SessionTimeoutMiddleware:
    """Sign out a session idle too long (15 min staff, 30 min patients) or older than 12 hours."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and user.is_authenticated and expired_reason(request, user):
            logout(request)  # flushes the session: its id is never valid again
            message = "Your session has ended. Please sign in again."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=401)
            if request.path.startswith(_FHIR_PREFIX):
                return _operation_outcome(message, code="login", status=401)
            login = reverse("accounts:login")
            return HttpResponseRedirect(f"{login}?{urlencode({'next': request.path})}")
        return self.get_response(request)


class StaffMfaRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(_FHIR_PREFIX) and _carries_bearer_token(request):
            # SMART on FHIR: MFA happened when the token was authorised in the browser; the
            # bearer authentication of the FHIR API decides, not this session gate. The session's
            # user is set aside, so no code path can fall back to a half-signed-in session.
            request.user = AnonymousUser()
            return self.get_response(request)
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
            if request.path.startswith(_FHIR_PREFIX):
                return _operation_outcome(message, code="security", status=403)
            return redirect("accounts:verify")
        return self.get_response(request)


class DeniedRequestAuditMiddleware:
    """Every 403 answer goes on the audit chain (issue #18 item 9): CSRF failures, the staff-MFA
    gate, refused actions and emergency access trying to write. Placed just after the
    authentication middlewares, so it sees the gates' own 403s and knows who asked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            record_denied(request)
        return response
