"""The service admin's escalation pages (issue #13): the policy and the rota change through
safety's services (versioned, audited); another service's admin and non-admins get 404."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from careloop.accounts.types import Role
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.models import Service
from careloop.safety.models import EscalationPolicy, OnCallShift
from conftest import make_user, signed_in


def _policy_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "tier1_target": "team_clinicians",
        "tier1_minutes": "10",
        "tier1_channels": ["in_app", "email"],
        "tier2_target": "on_call",
        "tier2_minutes": "20",
        "tier2_channels": ["sms"],
        "service_lead": "",
    }
    data.update(overrides)
    return data


def test_an_admin_changes_a_teams_escalation_steps(cleo, north, sam, ben):
    admin = signed_in(cleo)
    page = admin.get(reverse("manage:team-escalation", args=[north.id]))
    assert page.status_code == 200
    answer = admin.post(
        reverse("manage:team-escalation", args=[north.id]),
        _policy_post(service_lead=str(sam.id)),
    )
    assert answer["Location"] == reverse("manage:team-escalation", args=[north.id])
    policy = EscalationPolicy.objects.get(care_team=north)
    tiers = list(
        policy.tiers.order_by("position").values_list(
            "target", "acknowledge_within_seconds", "channels"
        )
    )
    assert tiers == [("team_clinicians", 600, ["in_app", "email"]), ("on_call", 1200, ["sms"])]
    assert (policy.version, policy.changed_by, policy.service_lead) == (2, cleo, sam)
    event = AuditEvent.objects.get(action=AuditAction.ESCALATION_POLICY_CHANGED)
    assert event.actor == cleo and event.detail["version"] == 2


def test_a_step_that_pages_nobody_is_refused(cleo, north):
    page = signed_in(cleo).post(
        reverse("manage:team-escalation", args=[north.id]),
        _policy_post(tier1_channels=["in_app"], tier2_target=""),
    )
    assert page.status_code == 422 and b"needs e-mail, SMS or web push" in page.content
    assert not AuditEvent.objects.filter(action=AuditAction.ESCALATION_POLICY_CHANGED).exists()


def test_an_admin_adds_and_removes_an_on_call_shift(cleo, north, ben):
    admin = signed_in(cleo)
    start = clock.now().replace(microsecond=0, second=0) + timedelta(hours=2)
    answer = admin.post(
        reverse("manage:shift-add", args=[north.id]),
        {
            "user_id": str(ben.id),
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert answer.status_code == 302
    shift = OnCallShift.objects.get(care_team=north)
    assert (shift.user, shift.ends_at - shift.starts_at) == (ben, timedelta(hours=8))
    assert "ben" in admin.get(reverse("manage:team-escalation", args=[north.id])).content.decode()
    admin.post(reverse("manage:shift-remove", args=[north.id, shift.id]))
    assert not OnCallShift.objects.exists()
    changes = AuditEvent.objects.filter(action=AuditAction.ON_CALL_CHANGED, actor=cleo)
    assert changes.count() == 2 and changes.last().detail["removed"] is True


def test_only_a_team_member_can_be_on_call(cleo, north, dana):
    start = clock.now() + timedelta(hours=1)
    page = signed_in(cleo).post(
        reverse("manage:shift-add", args=[north.id]),
        {
            "user_id": str(dana.id),
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert page.status_code == 400  # dana (Team South) is not a choice for Team North
    assert not OnCallShift.objects.exists()


def test_another_services_admin_and_non_admins_get_404(north, ben, sam):
    other = Service.objects.create(slug="other", name="Other service")
    olga = make_user(other, "olga", Role.SERVICE_ADMIN)
    shift = OnCallShift.objects.create(
        service=north.service, care_team=north, user=ben, starts_at=clock.now(),
        ends_at=clock.now() + timedelta(hours=4), created_by=sam,
    )  # fmt: skip
    for user in (olga, ben, sam):
        client = signed_in(user)
        assert client.get(reverse("manage:team-escalation", args=[north.id])).status_code == 404
        assert (
            client.post(reverse("manage:team-escalation", args=[north.id]), _policy_post())
        ).status_code == 404
        assert (
            client.post(reverse("manage:shift-remove", args=[north.id, shift.id]))
        ).status_code == 404
    assert OnCallShift.objects.filter(id=shift.id).exists()
    assert "Team North" not in signed_in(olga).get(reverse("manage:escalation")).content.decode()
    assert signed_in(ben).get(reverse("manage:escalation")).status_code == 404


def test_the_overview_shows_rota_gaps(cleo, north):
    page = signed_in(cleo).get(reverse("manage:escalation")).content.decode()
    assert "Team North" in page and "gap" in page
