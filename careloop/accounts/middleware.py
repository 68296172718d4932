"""Session gates: idle/absolute timeouts, and staff who have not passed TOTP reach only sign-in."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import InterfaceError, OperationalError
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


_BRIEFLY_UNAVAILABLE = "The service is briefly unavailable. Please try again in a moment."


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except that losing the database while the session is saved
    is a 503 (retry), not a 400.

    Django turns ANY database error on a session update into UpdateError and then a 400
    ("session deleted"). When the connection drops after the view committed, say a PHQ-9 with
    its alert, the client would read "bad request, nothing saved" and not retry; a 503 tells it
    to re-send (the submission is idempotent on its client id). A session row that really was
    deleted (a concurrent sign-out) stays Django's 400. Seen under the fault test's kills.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except SessionInterrupted as interrupted:
            if not _lost_connection(interrupted):
                raise
        retry = _unavailable(request.path)
        retry["Retry-After"] = "1"
        return retry


def _lost_connection(error: BaseException) -> bool:
    """True when the chain of causes holds a connection-level database error."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OperationalError | InterfaceError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _unavailable(path: str) -> HttpResponse:
    if path.startswith(_FHIR_PREFIX):
        return _operation_outcome(_BRIEFLY_UNAVAILABLE, code="transient", status=503)
    if path.startswith("/api/"):
        return JsonResponse({"detail": _BRIEFLY_UNAVAILABLE}, status=503)
    return HttpResponse(_BRIEFLY_UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8")
