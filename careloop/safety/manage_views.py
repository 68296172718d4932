"""The service admin's escalation pages (issue #13), under /manage/escalation/: each care team's
escalation policy (who an alert goes to at each step, and how long each step waits for an
acknowledgement) and its on-call rota.

Writes go through safety's own services (set_escalation_policy, add_on_call_shift,
remove_on_call_shift: validated, versioned, audited); anyone but a service admin gets 404, and
so does an admin asking for another service's team."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from careloop.accounts.selectors import active_care_team_members, service_admin
from careloop.care.selectors.manage import team_of_service, teams_of_service
from careloop.core import clock
from careloop.core.errors import DomainError, NotFound
from careloop.notifications.types import Channel
from careloop.safety.services.policies import (
    MAX_WINDOW_SECONDS,
    TierSpec,
    add_on_call_shift,
    policy_for_team,
    remove_on_call_shift,
    rota_gaps,
    set_escalation_policy,
    shifts_from,
)
from careloop.safety.types import TierTarget

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import CareTeam

TIER_ROWS = 4  # steps offered on the form (an empty step is left out)
GAP_WINDOW = timedelta(days=7)
CHANNEL_WORDS = {
    Channel.IN_APP: gettext_lazy("In the app"),
    Channel.EMAIL: gettext_lazy("E-mail"),
    Channel.SMS: gettext_lazy("Text message (SMS)"),
    Channel.WEB_PUSH: gettext_lazy("Browser notification"),
}


def _admin(request: HttpRequest) -> User:
    try:
        return service_admin(request)
    except NotFound:
        raise Http404 from None


def _team(admin: User, team_id: uuid.UUID) -> CareTeam:
    assert admin.service_id is not None
    try:
        return team_of_service(admin.service_id, team_id)
    except NotFound:
        raise Http404 from None


class PolicyForm(forms.Form):
    service_lead = forms.ChoiceField(
        label=gettext_lazy("Service lead (the last step)"),
        required=False,
        help_text=gettext_lazy("A clinician or supervisor of this team."),
    )

    def __init__(self, *args: Any, leads: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_lead"].choices = [("", _("Nobody named")), *leads]  # type: ignore[attr-defined]
        for n in range(1, TIER_ROWS + 1):
            self.fields[f"tier{n}_target"] = forms.ChoiceField(
                label=_("Who is told"),
                required=False,
                choices=[("", _("No step")), *TierTarget.choices],
            )
            self.fields[f"tier{n}_minutes"] = forms.IntegerField(
                label=_("Minutes to acknowledge before the next step"),
                required=False,
                min_value=1,
                max_value=MAX_WINDOW_SECONDS // 60,
            )
            self.fields[f"tier{n}_channels"] = forms.MultipleChoiceField(
                label=_("How they are told"),
                required=False,
                choices=[(c.value, CHANNEL_WORDS[c]) for c in Channel],
                widget=forms.CheckboxSelectMultiple,
            )

    def rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (n, [self[f"tier{n}_target"], self[f"tier{n}_minutes"], self[f"tier{n}_channels"]])
            for n in range(1, TIER_ROWS + 1)
        ]

    def tiers(self) -> list[TierSpec]:
        specs = []
        for n in range(1, TIER_ROWS + 1):
            target = self.cleaned_data.get(f"tier{n}_target")
            if not target:
                continue
            minutes = self.cleaned_data.get(f"tier{n}_minutes")
            if not minutes:
                raise DomainError(_("Step %(n)s: say how many minutes it waits.") % {"n": n})
            channels = tuple(self.cleaned_data.get(f"tier{n}_channels") or ())
            specs.append(TierSpec(TierTarget(target), minutes * 60, channels))
        return specs


def _initial(policy: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "service_lead": str(policy.service_lead_id) if policy.service_lead_id else ""
    }
    for tier in policy.tiers.order_by("position"):
        n = tier.position
        if n > TIER_ROWS:
            break
        initial[f"tier{n}_target"] = tier.target
        initial[f"tier{n}_minutes"] = max(1, tier.acknowledge_within_seconds // 60)
        initial[f"tier{n}_channels"] = list(tier.channels)
    return initial


class ShiftForm(forms.Form):
    user_id = forms.ChoiceField(label=gettext_lazy("Who is on call"))
    starts_at = forms.DateTimeField(
        label=gettext_lazy("From (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Until (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user_id"].choices = members  # type: ignore[attr-defined]


def _members(team: CareTeam) -> list[tuple[str, str]]:
    people = active_care_team_members(team.id, team.service_id)
    return [
        (str(u.id), f"{u.get_full_name() or u.username}, {u.get_role_display()}") for u in people
    ]


@login_required
@require_http_methods(["GET"])
def escalation(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    assert admin.service_id is not None
    now = clock.now()
    rows = []
    for team in teams_of_service(admin.service_id):
        policy = policy_for_team(team.id, team.service_id)
        gaps = rota_gaps(team, now, now + GAP_WINDOW)
        tiers = [
            (tier.get_target_display(), -(-tier.acknowledge_within_seconds // 60))
            for tier in policy.tiers.order_by("position")
        ]
        rows.append((team, policy, tiers, gaps))
    return render(request, "safety/manage/escalation.html", {"rows": rows})


def _team_page(
    request: HttpRequest,
    admin: User,
    team: CareTeam,
    *,
    policy_form: PolicyForm | None = None,
    shift_form: ShiftForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    policy = policy_for_team(team.id, team.service_id)
    members = _members(team)
    now = clock.now()
    start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    context = {
        "team": team,
        "policy": policy,
        "policy_form": policy_form or PolicyForm(initial=_initial(policy), leads=members),
        "shift_form": shift_form
        or ShiftForm(
            members=members, initial={"starts_at": start, "ends_at": start + timedelta(hours=12)}
        ),
        "shifts": shifts_from(team, now),
        "gaps": rota_gaps(team, now, now + GAP_WINDOW),
        "has_members": bool(members),
        "error": error,
    }
    return render(request, "safety/manage/team_escalation.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_escalation(request: HttpRequest, team_id: uuid.UUID) -> HttpResponse:
    admin = _admin(request)
    team = _team(admin, team_id)
    if request.method == "GET":
        return _team_page(request, admin, team)
    form = PolicyForm(request.POST, leads=_members(team))
    if form.is_valid():
        try:
            lead = form.cleaned_data["service_lead"]
            set_escalation_policy(
                team,
                actor=admin,
                tiers=form.tiers(),
                service_lead_id=uuid.UUID(lead) if lead else None,
            )
        except DomainError as problem:
            return _team_page(
                request,
                admin,
                team,
                policy_form=form,
                error=problem.message,
                status=problem.status_code,
            )
        messages.success(request, _("Escalation policy saved as a new version."))
        return redirect("manage:team-escalation", team_id=team.id)
    return _team_page(request, admin, team, policy_form=form, status=400)


@login_required
@require_POST
def shift_add(request: HttpRequest, team_id: uuid.UUID) -> HttpResponse:
    admin = _admin(request)
    team = _team(admin, team_id)
    form = ShiftForm(request.POST, members=_members(team))
    if form.is_valid():
        try:
            add_on_call_shift(
                team,
                actor=admin,
                user_id=uuid.UUID(form.cleaned_data["user_id"]),
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except DomainError as problem:
            return _team_page(
                request,
                admin,
                team,
                shift_form=form,
                error=problem.message,
                status=problem.status_code,
            )
        messages.success(request, _("Shift added to the rota."))
        return redirect("manage:team-escalation", team_id=team.id)
    return _team_page(request, admin, team, shift_form=form, status=400)


@login_required
@require_POST
def shift_remove(request: HttpRequest, team_id: uuid.UUID, shift_id: uuid.UUID) -> HttpResponse:
    admin = _admin(request)
    team = _team(admin, team_id)
    try:
        remove_on_call_shift(team, actor=admin, shift_id=shift_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Shift taken off the rota."))
    return redirect("manage:team-escalation", team_id=team.id)
