"""The service admin's hub and staff pages (issue #13), under /manage/.

Staff are added with an invitation (accounts.services.invite_new_user): the person sets their
own password with the code, and at their first sign-in the staff-MFA gate sends them to set up
their authenticator (accounts:verify -> accounts:enrol) before they see anything else."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from careloop.accounts import services
from careloop.accounts.models import User
from careloop.accounts.selectors import account_states, service_admin, staff_member
from careloop.accounts.selectors import staff_of_service as staff_query
from careloop.accounts.types import STAFF_ROLES, Role
from careloop.core.errors import DomainError, NotFound

STAFF_ROLE_CHOICES = [(role.value, role.label) for role in Role if role in STAFF_ROLES]


def _admin(request: HttpRequest) -> User:
    try:
        return service_admin(request)
    except NotFound:
        raise Http404 from None


def invitation_page(
    request: HttpRequest, issued: services.IssuedInvitation, *, back: str
) -> HttpResponse:
    """The code and link, shown this once (only a hash is kept): never cached."""
    link = request.build_absolute_uri(reverse("accounts:invitation", args=[issued.code]))
    context = {"issued": issued, "link": link, "back": back}
    response = render(request, "accounts/manage/invitation.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET"])
def hub(request: HttpRequest) -> HttpResponse:
    """What a service admin can do here; a researcher is shown the research page only."""
    user = request.user
    if isinstance(user, User) and user.role == Role.RESEARCHER and user.service_id is not None:
        return render(request, "accounts/manage/hub.html", {"researcher_only": True})
    _admin(request)
    return render(request, "accounts/manage/hub.html", {"researcher_only": False})


class StaffForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=STAFF_ROLE_CHOICES)
    username = forms.CharField(
        label=gettext_lazy("User name"),
        max_length=150,
        help_text=gettext_lazy("They sign in with this. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    email = forms.EmailField(label=gettext_lazy("Work e-mail"), required=False, max_length=254)


@login_required
@require_http_methods(["GET"])
def staff(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    assert admin.service_id is not None
    people = list(staff_query(admin.service_id))
    states = account_states(people)
    rows = [(person, states[person.id]) for person in people]
    return render(request, "accounts/manage/staff.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def staff_add(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    form = StaffForm(request.POST or None)
    error, failed_status = "", 400
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = services.invite_new_user(
                actor=admin,
                username=data["username"],
                role=Role(data["role"]),
                email=data["email"],
                full_name=data["full_name"],
            )
        except DomainError as problem:
            error, failed_status = problem.message, problem.status_code
        else:
            return invitation_page(request, issued, back=reverse("manage:staff"))
    status = failed_status if request.method == "POST" else 200
    return render(
        request, "accounts/manage/staff_add.html", {"form": form, "error": error}, status=status
    )


@login_required
@require_POST
def staff_reinvite(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    admin = _admin(request)
    assert admin.service_id is not None
    try:
        staff_member(admin.service_id, user_id)
        issued = services.reissue_invitation(actor=admin, user_id=user_id)
    except NotFound:
        raise Http404 from None
    except DomainError as problem:
        people = list(staff_query(admin.service_id))
        states = account_states(people)
        context = {"rows": [(p, states[p.id]) for p in people], "error": problem.message}
        return render(request, "accounts/manage/staff.html", context, status=problem.status_code)
    return invitation_page(request, issued, back=reverse("manage:staff"))
