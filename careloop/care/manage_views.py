"""The service admin's pages for patients and care teams (issue #13), under /manage/.

Thin: a form in, a care service call (manage_services), a redirect or page out. Anyone but a
service admin gets 404; so does an admin asking for another service's patient or team."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from careloop.accounts.selectors import account_states, active_team_candidates, service_admin
from careloop.accounts.services import IssuedInvitation
from careloop.care import manage_services
from careloop.care.selectors.manage import (
    patient_for_admin,
    patients_for_admin,
    team_members_of,
    team_of_service,
    teams_of_service,
)
from careloop.care.types import EpisodeEnding, Gender
from careloop.core import clock
from careloop.core.errors import DomainError, NotFound

if TYPE_CHECKING:
    from careloop.accounts.models import User


def _admin(request: HttpRequest) -> User:
    try:
        return service_admin(request)
    except NotFound:
        raise Http404 from None


def invitation_page(request: HttpRequest, issued: IssuedInvitation, *, back: str) -> HttpResponse:
    """The code and link, shown this once (only a hash is kept): never cached."""
    link = request.build_absolute_uri(reverse("accounts:invitation", args=[issued.code]))
    context = {"issued": issued, "link": link, "back": back}
    response = render(request, "accounts/manage/invitation.html", context)
    response["Cache-Control"] = "no-store"
    return response


class PatientForm(forms.Form):
    display_name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=120,
        help_text=gettext_lazy("How the care team will see the patient's name."),
    )
    care_team = forms.ChoiceField(label=gettext_lazy("Care team"))
    birth_year = forms.IntegerField(
        label=gettext_lazy("Year of birth"), required=False, min_value=1900
    )
    gender = forms.ChoiceField(
        label=gettext_lazy("Gender"), choices=Gender.choices, initial=Gender.PREFER_NOT_TO_SAY
    )
    referred_on = forms.DateField(
        label=gettext_lazy("Referred on"),
        required=False,
        help_text=gettext_lazy("Leave empty for today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    username = forms.CharField(
        label=gettext_lazy("User name for the app"),
        required=False,
        max_length=150,
        help_text=gettext_lazy(
            "Leave empty if the patient will not use the app. With a user name, you get an "
            "invitation code to give the patient: they use it to choose their own password."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail (optional)"), required=False, max_length=254
    )

    def __init__(self, *args: object, teams: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["care_team"].choices = teams  # type: ignore[attr-defined]


class InviteForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("User name for the app"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail (optional)"), required=False, max_length=254
    )


class DischargeForm(forms.Form):
    ending = forms.ChoiceField(
        label=gettext_lazy("How did the course of care end?"),
        choices=[
            (EpisodeEnding.COMPLETED, gettext_lazy("Completed treatment")),
            (EpisodeEnding.DROPPED_OUT, gettext_lazy("Stopped before finishing (dropped out)")),
        ],
        widget=forms.RadioSelect,
    )
    ended_on = forms.DateField(
        label=gettext_lazy("Discharged on"),
        required=False,
        help_text=gettext_lazy("Leave empty for today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sessions_attended = forms.IntegerField(
        label=gettext_lazy("Treatment sessions attended (optional)"),
        required=False,
        min_value=0,
        max_value=200,
        help_text=gettext_lazy("The assessment session does not count."),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Team name"), max_length=120)


def _team_choices(admin: User) -> list[tuple[str, str]]:
    assert admin.service_id is not None
    return [(str(team.id), team.name) for team in teams_of_service(admin.service_id)]


@login_required
@require_http_methods(["GET"])
def patients(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    search = request.GET.get("q", "")[:120]
    rows = patients_for_admin(admin, search=search)
    states = account_states([p.user for p in rows if p.user is not None])
    context = {
        "rows": [(p, states.get(p.user_id) if p.user_id else None) for p in rows],
        "search": search,
    }
    return render(request, "care/manage/patients.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def patient_add(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    teams = _team_choices(admin)
    form = PatientForm(request.POST or None, teams=teams)
    error, failed_status = "", 400
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            admission = manage_services.admit_patient(
                actor=admin,
                team_id=uuid.UUID(data["care_team"]),
                display_name=data["display_name"],
                birth_year=data["birth_year"],
                gender=Gender(data["gender"]),
                referred_on=data["referred_on"],
                username=data["username"],
                email=data["email"],
            )
        except DomainError as problem:
            error, failed_status = problem.message, problem.status_code
        else:
            back = reverse("manage:patient", args=[admission.patient.id])
            if admission.invitation is not None:
                return invitation_page(request, admission.invitation, back=back)
            messages.success(request, _("Patient added."))
            return redirect(back)
    status = failed_status if request.method == "POST" else 200
    context = {"form": form, "error": error, "has_teams": bool(teams)}
    return render(request, "care/manage/patient_add.html", context, status=status)


def _patient_page(
    request: HttpRequest,
    admin: User,
    patient_id: uuid.UUID,
    *,
    invite_form: InviteForm | None = None,
    discharge_form: DischargeForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    try:
        patient = patient_for_admin(admin, patient_id)
    except NotFound:
        raise Http404 from None
    state = account_states([patient.user])[patient.user.id] if patient.user else None
    context = {
        "patient": patient,
        "account_state": state,
        "invite_form": invite_form or InviteForm(),
        "discharge_form": discharge_form or DischargeForm(),
        "error": error,
        "today": clock.now().date(),
    }
    return render(request, "care/manage/patient.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def patient(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    return _patient_page(request, _admin(request), patient_id)


@login_required
@require_POST
def patient_invite(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    admin = _admin(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            issued = manage_services.invite_patient(
                actor=admin,
                patient_id=patient_id,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
            )
        except NotFound:
            raise Http404 from None
        except DomainError as problem:
            return _patient_page(
                request,
                admin,
                patient_id,
                invite_form=form,
                error=problem.message,
                status=problem.status_code,
            )
        return invitation_page(request, issued, back=reverse("manage:patient", args=[patient_id]))
    return _patient_page(request, admin, patient_id, invite_form=form, status=400)


@login_required
@require_POST
def patient_discharge(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    admin = _admin(request)
    form = DischargeForm(request.POST)
    if form.is_valid():
        try:
            manage_services.discharge_patient(
                actor=admin,
                patient_id=patient_id,
                ending=EpisodeEnding(form.cleaned_data["ending"]),
                ended_on=form.cleaned_data["ended_on"],
                sessions_attended=form.cleaned_data["sessions_attended"],
            )
        except NotFound:
            raise Http404 from None
        except DomainError as problem:
            return _patient_page(
                request,
                admin,
                patient_id,
                discharge_form=form,
                error=problem.message,
                status=problem.status_code,
            )
        messages.success(request, _("The patient is discharged: their course of care has ended."))
        return redirect("manage:patient", patient_id=patient_id)
    return _patient_page(request, admin, patient_id, discharge_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    assert admin.service_id is not None
    form = TeamForm(request.POST or None)
    error, failed_status = "", 400
    if request.method == "POST" and form.is_valid():
        try:
            team = manage_services.create_care_team(actor=admin, name=form.cleaned_data["name"])
        except DomainError as problem:
            error, failed_status = problem.message, problem.status_code
        else:
            messages.success(request, _("Team created. Now add its clinicians and supervisors."))
            return redirect("manage:team", team_id=team.id)
    context = {"teams": teams_of_service(admin.service_id), "form": form, "error": error}
    status = failed_status if request.method == "POST" else 200
    return render(request, "care/manage/teams.html", context, status=status)


def _team_page(
    request: HttpRequest, admin: User, team_id: uuid.UUID, *, error: str = "", status: int = 200
) -> HttpResponse:
    assert admin.service_id is not None
    try:
        team = team_of_service(admin.service_id, team_id)
    except NotFound:
        raise Http404 from None
    members = team_members_of(team)
    member_ids = {m.id for m in members}
    candidates = [u for u in active_team_candidates(admin.service_id) if u.id not in member_ids]
    context = {
        "team": team,
        "members": members,
        "candidates": candidates,
        "error": error,
    }
    return render(request, "care/manage/team.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def team(request: HttpRequest, team_id: uuid.UUID) -> HttpResponse:
    return _team_page(request, _admin(request), team_id)


def _user_id(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("user_id", ""))
    except ValueError:
        return None


@login_required
@require_POST
def team_member_add(request: HttpRequest, team_id: uuid.UUID) -> HttpResponse:
    admin = _admin(request)
    user_id = _user_id(request)
    if user_id is None:
        return _team_page(request, admin, team_id, error=_("Choose someone to add."), status=400)
    try:
        manage_services.add_team_member(actor=admin, team_id=team_id, user_id=user_id)
    except NotFound:
        raise Http404 from None
    except DomainError as problem:
        return _team_page(
            request, admin, team_id, error=problem.message, status=problem.status_code
        )
    messages.success(request, _("Added to the team: they now see its patients."))
    return redirect("manage:team", team_id=team_id)


@login_required
@require_POST
def team_member_remove(request: HttpRequest, team_id: uuid.UUID) -> HttpResponse:
    admin = _admin(request)
    user_id = _user_id(request)
    if user_id is None:
        raise Http404
    try:
        manage_services.remove_team_member(actor=admin, team_id=team_id, user_id=user_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Removed from the team: they no longer see its patients."))
    return redirect("manage:team", team_id=team_id)
