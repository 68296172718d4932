"""Sign-in, staff MFA (enrol and verify) and sign-out. Thin: forms in, redirects out."""

from __future__ import annotations

from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from careloop.accounts import auth_audit, lockout, mfa, services
from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.audit.selectors import recent_events_of_service
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.core.errors import DomainError
from careloop.core.http import client_ip


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )


class SignInView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # One IP trying many usernames: refused before any password is checked.
        if lockout.ip_failures_exceeded(request):
            auth_audit.record_lockout(request, request.POST.get("username", ""), scope="ip")
            return lockout.locked_out_response(request)
        return super().post(request, *args, **kwargs)

    def get_success_url(self) -> str:
        user = self.request.user
        if isinstance(user, User) and user.is_staff_role:
            return reverse("accounts:verify")
        return super().get_success_url()


def _verify_device(request: HttpRequest, user: User, *, confirming: bool) -> bool:
    """Check the submitted code against the user's device; on success mark the session verified."""
    form = CodeForm(request.POST)
    device = mfa.pending_device(user) if confirming else mfa.confirmed_device(user)
    if device is None or not form.is_valid() or not device.verify_token(form.cleaned_data["code"]):
        auth_audit.record_mfa_failure(request, user, step="enrol" if confirming else "verify")
        return False
    if confirming:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    django_otp.login(request, device)
    # A new session id once the second factor is passed, as at password sign-in (fixation).
    request.session.cycle_key()
    record_event(
        actor=user,
        action=AuditAction.MFA_ENROLLED if confirming else AuditAction.MFA_VERIFIED,
        service_id=user.service_id,
    )
    return True


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if mfa.confirmed_device(user) is None:
        return redirect("accounts:enrol")
    if request.method == "POST":
        if _verify_device(request, user, confirming=False):
            return redirect("home")
        return render(
            request, "accounts/verify.html", {"form": CodeForm(), "failed": True}, status=400
        )
    return render(request, "accounts/verify.html", {"form": CodeForm()})


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if mfa.confirmed_device(user) is not None:
        return redirect("accounts:verify")
    if request.method == "POST" and _verify_device(request, user, confirming=True):
        return redirect("home")
    device = mfa.pending_device(user) or mfa.start_enrolment(user)
    context = {
        "form": CodeForm(),
        "failed": request.method == "POST",
        "qr_svg": mfa.qr_code_svg(device),
        "manual_key": mfa.manual_entry_key(device),
    }
    return render(request, "accounts/enrol.html", context, status=400 if context["failed"] else 200)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    response = redirect("accounts:login")
    # Offline copies (crisis page, safety plan) must not outlive the session on a shared device.
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


SECURITY_EVENTS_SHOWN = 200
_EVENT_WORDS: dict[str, object] = {
    # The password step only: staff are not in until the authenticator check that follows
    # ("Passed the authenticator check"), so a bare "Signed in" before a wrong code was untrue.
    AuditAction.SIGNED_IN: _("Signed in with password"),
    AuditAction.SIGN_IN_FAILED: _("Failed sign-in"),
    AuditAction.LOCKED_OUT: _("Locked out"),
    AuditAction.MFA_FAILED: _("Wrong authenticator code"),
    AuditAction.ACCESS_DENIED: _("Request refused (403)"),
    AuditAction.MFA_VERIFIED: _("Passed the authenticator check"),
    AuditAction.MFA_ENROLLED: _("Set up an authenticator"),
}


@login_required
@require_http_methods(["GET"])
def security_events(request: HttpRequest) -> HttpResponse:
    """The service admin's list of recent sign-in and access-refusal events of their service.

    /accounts/ is open to staff who have not passed MFA yet (to sign in), so this page checks
    the second factor itself.
    """
    user = request.user
    if not isinstance(user, User) or user.role != Role.SERVICE_ADMIN or user.service_id is None:
        raise Http404
    if not user.is_verified():  # type: ignore[attr-defined]  # added by OTPMiddleware
        return redirect("accounts:verify")
    events = recent_events_of_service(
        service_id=user.service_id, actions=auth_audit.AUTH_ACTIONS, limit=SECURITY_EVENTS_SHOWN
    )
    rows = [(event, str(_EVENT_WORDS.get(event.action, event.action))) for event in events]
    response = render(request, "accounts/security_events.html", {"rows": rows})
    response["Cache-Control"] = "no-store"
    return response


# --- Accepting an invitation (issue #13): public, no sign-in. ---------------------------------

# Wrong codes count as failed sign-ins of this made-up user name (django-axes, per address), so
# guessing codes is throttled exactly like guessing passwords: LOGIN_FAILURE_LIMIT tries per
# address, and the address-wide LOGIN_IP_FAILURE_LIMIT, for LOGIN_LOCKOUT_MINUTES.
INVITATION_PROBE = "invitation-code"


class InvitationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Invitation code"),
        max_length=40,
        help_text=_("The code your care service gave you, for example ABCD-EFGH-JKLM-NPQR-STUV."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


def _throttled(request: HttpRequest) -> bool:
    credentials = {"username": INVITATION_PROBE}
    return lockout.ip_failures_exceeded(request) or not AxesProxyHandler.is_allowed(
        request, credentials
    )


def _wrong_code(request: HttpRequest) -> None:
    user_login_failed.send(
        sender=__name__, credentials={"username": INVITATION_PROBE}, request=request
    )


def _invalid_code_page(request: HttpRequest, form: InvitationCodeForm) -> HttpResponse:
    _wrong_code(request)
    return render(
        request, "accounts/invitation_code.html", {"form": form, "invalid": True}, status=404
    )


@require_http_methods(["GET", "POST"])
def invitation_code(request: HttpRequest) -> HttpResponse:
    """Type the code by hand (from a letter or a phone call) instead of following the link."""
    if request.user.is_authenticated:
        logout(request)  # an invitation is for someone new: never act in another's session
    if request.method == "POST":
        if _throttled(request):
            return lockout.locked_out_response(request)
        form = InvitationCodeForm(request.POST)
        if form.is_valid():
            code = services.normalised_code(form.cleaned_data["code"])
            if services.open_invitation(code) is None:
                return _invalid_code_page(request, form)
            return redirect("accounts:invitation", code=code)
        return render(request, "accounts/invitation_code.html", {"form": form}, status=400)
    return render(request, "accounts/invitation_code.html", {"form": InvitationCodeForm()})


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, code: str) -> HttpResponse:
    """Set your password with a valid invitation; then sign in (staff then set up their
    authenticator app before anything else)."""
    if request.user.is_authenticated:
        logout(request)
    if _throttled(request):
        return lockout.locked_out_response(request)
    found = services.open_invitation(code)
    if found is None:
        return _invalid_code_page(request, InvitationCodeForm(initial={"code": code}))
    form = SetPasswordForm(found.user, request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(
                code=code,
                password=form.cleaned_data["new_password1"],
                source_ip=client_ip(request),
            )
        except DomainError as problem:
            error = problem.message
        else:
            messages.success(request, _("Your password is set. Sign in with it now."))
            return redirect("accounts:login")
    context = {
        "form": form,
        "error": error,
        "invited": found.user,
        "is_staff": found.user.is_staff_role,
        "expires_at": found.expires_at,
    }
    status = 400 if request.method == "POST" else 200
    page = render(request, "accounts/invitation.html", context, status=status)
    # The code is in this page's address: never sent to another site. ("no-referrer" would make
    # the browser send "Origin: null" with the form, which CSRF protection rightly refuses.)
    page["Referrer-Policy"] = "same-origin"
    return page
