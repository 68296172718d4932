"""The service admin's patient and care-team pages (issue #13): each action through a care
service, audited, bounded by the admin's own service (another service's admin gets 404)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.care.models import CareTeam, Patient, TeamMembership, TreatmentEpisode
from careloop.care.types import EpisodeEnding
from careloop.core.models import Service
from conftest import make_user, signed_in

NEW_PASSWORD = "a-long-new-passphrase-41"


@pytest.fixture
def olga(db) -> User:
    """The service admin of another service."""
    other = Service.objects.create(slug="other", name="Other service")
    return make_user(other, "olga", Role.SERVICE_ADMIN)


def _add_patient(client: Client, team: CareTeam, **extra: str):
    data = {
        "display_name": "Pat New",
        "care_team": str(team.id),
        "birth_year": "1991",
        "gender": "female",
        "referred_on": "",
        "username": "patnew",
        "email": "",
        **extra,
    }
    return client.post(reverse("manage:patient-add"), data)


def test_an_admin_adds_a_patient_who_accepts_the_invitation_and_signs_in(cleo, north):
    page = _add_patient(signed_in(cleo), north)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    link = re.search(r'id="invitation-link" href="([^"]+)"', page.content.decode()).group(1)
    patient = Patient.objects.get(display_name="Pat New")
    assert patient.care_team == north and patient.user.username == "patnew"
    episode = TreatmentEpisode.objects.get(patient=patient)
    assert episode.ending == EpisodeEnding.ONGOING
    assert AuditEvent.objects.filter(action=AuditAction.PATIENT_REGISTERED, actor=cleo).exists()
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_INVITED, actor=cleo).exists()

    visitor = Client()
    path = link.removeprefix("http://testserver")
    assert visitor.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})[
        "Location"
    ] == reverse("accounts:login")
    signed = visitor.post(
        reverse("accounts:login"), {"username": "patnew", "password": NEW_PASSWORD}
    )
    assert signed.status_code == 302 and signed["Location"] == reverse("home")
    home = visitor.get(reverse("home"))
    assert home.status_code == 200 and home.wsgi_request.user == patient.user


def test_a_patient_without_a_user_name_gets_no_login_and_can_be_invited_later(cleo, north):
    admin = signed_in(cleo)
    added = _add_patient(admin, north, username="")
    patient = Patient.objects.get(display_name="Pat New")
    assert added["Location"] == reverse("manage:patient", args=[patient.id])
    assert patient.user is None
    page = admin.post(reverse("manage:patient-invite", args=[patient.id]), {"username": "patlater"})
    assert page.status_code == 200 and b"invitation-code" in page.content
    login = Patient.objects.get(id=patient.id).user
    assert login is not None and (login.username, login.role) == ("patlater", Role.PATIENT)


def test_a_taken_user_name_adds_no_patient(cleo, north, ben):
    page = _add_patient(signed_in(cleo), north, username="ben")
    assert page.status_code == 409 and b"taken" in page.content
    assert not Patient.objects.filter(display_name="Pat New").exists()


def test_an_admin_discharges_a_patient(cleo, ada_patient):
    TreatmentEpisode.objects.create(
        service=ada_patient.service,
        patient=ada_patient,
        referred_on="2026-01-05",
        started_on="2026-01-10",
    )
    admin = signed_in(cleo)
    answer = admin.post(
        reverse("manage:patient-discharge", args=[ada_patient.id]),
        {"ending": "completed", "ended_on": "2026-03-01", "sessions_attended": "6"},
    )
    assert answer["Location"] == reverse("manage:patient", args=[ada_patient.id])
    episode = TreatmentEpisode.objects.get(patient=ada_patient)
    assert (episode.ending, str(episode.ended_on), episode.treatment_sessions_attended) == (
        EpisodeEnding.COMPLETED,
        "2026-03-01",
        6,
    )
    event = AuditEvent.objects.get(action=AuditAction.PATIENT_DISCHARGED)
    assert event.actor == cleo and event.detail["ending"] == "completed" and event.patient_ref
    again = admin.post(
        reverse("manage:patient-discharge", args=[ada_patient.id]), {"ending": "completed"}
    )
    assert again.status_code == 409  # no open course of care left


def test_a_discharge_before_the_start_is_refused(cleo, ada_patient):
    TreatmentEpisode.objects.create(
        service=ada_patient.service, patient=ada_patient, referred_on="2026-01-05",
        started_on="2026-01-10",
    )  # fmt: skip
    page = signed_in(cleo).post(
        reverse("manage:patient-discharge", args=[ada_patient.id]),
        {"ending": "dropped_out", "ended_on": "2025-12-01"},
    )
    assert page.status_code == 422 and b"before the course of care started" in page.content
    assert TreatmentEpisode.objects.get().ending == EpisodeEnding.ONGOING


def test_an_admin_creates_a_team_and_changes_its_members(cleo, ben, north):
    admin = signed_in(cleo)
    created = admin.post(reverse("manage:teams"), {"name": "Team East"})
    east = CareTeam.objects.get(name="Team East")
    assert created["Location"] == reverse("manage:team", args=[east.id])
    assert admin.post(reverse("manage:teams"), {"name": "team east"}).status_code == 409
    admin.post(reverse("manage:team-member-add", args=[east.id]), {"user_id": str(ben.id)})
    assert TeamMembership.objects.filter(team=east, user=ben).exists()
    admin.post(reverse("manage:team-member-remove", args=[east.id]), {"user_id": str(ben.id)})
    assert not TeamMembership.objects.filter(team=east, user=ben).exists()
    actions = list(
        AuditEvent.objects.filter(actor=cleo)
        .exclude(action__startswith="auth.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.CARE_TEAM_CREATED,
        AuditAction.CARE_TEAM_MEMBER_ADDED,
        AuditAction.CARE_TEAM_MEMBER_REMOVED,
    ]


def test_only_clinicians_and_supervisors_join_a_team(cleo, north, service):
    rita = make_user(service, "rita", Role.RESEARCHER)
    page = signed_in(cleo).post(
        reverse("manage:team-member-add", args=[north.id]), {"user_id": str(rita.id)}
    )
    assert page.status_code == 404
    assert not TeamMembership.objects.filter(user=rita).exists()


def test_another_services_admin_gets_404_for_everything_here(olga, cleo, ada_patient, north, ben):
    other = signed_in(olga)
    for name, args in (
        ("manage:patient", [ada_patient.id]),
        ("manage:team", [north.id]),
    ):
        assert other.get(reverse(name, args=args)).status_code == 404
    posts: tuple[tuple[str, list[object], dict[str, str]], ...] = (
        ("manage:patient-discharge", [ada_patient.id], {"ending": "completed"}),
        ("manage:patient-invite", [ada_patient.id], {}),
        ("manage:team-member-add", [north.id], {"user_id": str(ben.id)}),
        ("manage:team-member-remove", [north.id], {"user_id": str(ben.id)}),
    )
    for name, args, data in posts:
        assert other.post(reverse(name, args=args), data).status_code == 404
    page = other.post(
        reverse("manage:patient-add"),
        {"display_name": "X", "care_team": str(north.id), "gender": "female"},
    )
    assert page.status_code == 400  # not one of olga's teams: not a choice
    assert "Ada Test" not in other.get(reverse("manage:patients")).content.decode()
    assert TeamMembership.objects.filter(team=north, user=ben).exists()
    assert not AuditEvent.objects.filter(actor=olga).exclude(action__startswith="auth.").exists()


def test_clinicians_patients_and_outsiders_get_404(ben, sam, ada, ada_patient):
    for user in (ben, sam, ada):
        client = signed_in(user)
        assert client.get(reverse("manage:patients")).status_code == 404
        assert client.get(reverse("manage:patient", args=[ada_patient.id])).status_code == 404
        assert client.get(reverse("manage:teams")).status_code == 404
    anonymous = Client().get(reverse("manage:patients"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_patient_list_finds_by_name(cleo, ada_patient, north, service):
    Patient.objects.create(service=service, care_team=north, display_name="Bo Other")
    page = signed_in(cleo).get(reverse("manage:patients"), {"q": "ada"}).content.decode()
    assert "Ada Test" in page and "Bo Other" not in page
