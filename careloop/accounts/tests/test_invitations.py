"""Staff and patients added from the web sign in with an invitation: single use, expiring,
stored hashed, throttled like sign-in, audited; staff then enrol TOTP (issue #13)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from careloop.accounts.models import Invitation, User
from careloop.accounts.services import (
    CODE_LENGTH,
    InvalidInvitation,
    accept_invitation,
    invite_new_user,
    normalised_code,
)
from careloop.accounts.types import Role
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.core.models import Service
from conftest import make_user, signed_in

NEW_PASSWORD = "a-long-new-passphrase-41"


def _code_from(page: str) -> str:
    match = re.search(r'id="invitation-code">([A-Z0-9-]+)<', page)
    assert match, "the invitation page shows the code"
    return match.group(1)


def test_an_admin_adds_a_clinician_who_accepts_and_is_sent_to_enrol_totp(cleo):
    admin = signed_in(cleo)
    page = admin.post(
        reverse("manage:staff-add"),
        {"full_name": "Fay Test", "role": "clinician", "username": "fay", "email": ""},
    )
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    code = _code_from(page.content.decode())
    fay = User.objects.get(username="fay")
    assert (fay.role, fay.service_id, fay.is_active) == (Role.CLINICIAN, cleo.service_id, False)
    assert not fay.has_usable_password()
    invitation = Invitation.objects.get(user=fay)
    # Only the hash is stored, never the code.
    assert invitation.code_sha256 == hashlib.sha256(normalised_code(code).encode()).hexdigest()
    assert normalised_code(code) not in str(Invitation.objects.values().get())
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_INVITED)
    assert event.actor == cleo and event.detail["role"] == "clinician"

    visitor = Client()
    form = visitor.get(reverse("accounts:invitation", args=[code]))
    assert form.status_code == 200 and b"fay" in form.content
    # The code never leaves in a Referer to another site, and the form's Origin stays valid.
    assert form["Referrer-Policy"] == "same-origin"
    done = visitor.post(
        reverse("accounts:invitation", args=[code]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == reverse("accounts:login")
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED, actor=fay).exists()

    signed = visitor.post(reverse("accounts:login"), {"username": "fay", "password": NEW_PASSWORD})
    assert signed["Location"] == reverse("accounts:verify")
    assert visitor.get(reverse("accounts:verify"))["Location"] == reverse("accounts:enrol")
    # Nothing else until the authenticator is set up (the staff-MFA gate).
    assert visitor.get(reverse("manage:hub"))["Location"] == reverse("accounts:verify")


def test_a_code_works_once(cleo):
    issued = invite_new_user(actor=cleo, username="gus", role=Role.RESEARCHER)
    accept_invitation(code=issued.display_code, password=NEW_PASSWORD)
    with pytest.raises(InvalidInvitation):
        accept_invitation(code=issued.code, password=NEW_PASSWORD + "x")
    page = Client().get(reverse("accounts:invitation", args=[issued.code]))
    assert page.status_code == 404 and b"not valid" in page.content


def test_an_expired_code_is_refused(cleo, settings):
    issued = invite_new_user(actor=cleo, username="hal", role=Role.PATIENT)
    Invitation.objects.update(expires_at=issued.expires_at - timedelta(days=8))
    with pytest.raises(InvalidInvitation):
        accept_invitation(code=issued.code, password=NEW_PASSWORD)
    assert not User.objects.get(username="hal").is_active


def test_a_new_invitation_replaces_the_old_one(cleo):
    first = invite_new_user(actor=cleo, username="ivy", role=Role.SUPERVISOR)
    admin = signed_in(cleo)
    page = admin.post(reverse("manage:staff-reinvite", args=[first.user.id]))
    second = _code_from(page.content.decode())
    with pytest.raises(InvalidInvitation):
        accept_invitation(code=first.code, password=NEW_PASSWORD)
    accept_invitation(code=second, password=NEW_PASSWORD)


def test_the_password_rules_apply(cleo):
    issued = invite_new_user(actor=cleo, username="jo", role=Role.PATIENT)
    page = Client().post(
        reverse("accounts:invitation", args=[issued.code]),
        {"new_password1": "short", "new_password2": "short"},
    )
    assert page.status_code == 400 and b'aria-describedby="' in page.content
    assert Invitation.objects.get().used_at is None


def test_wrong_codes_are_throttled_like_sign_in(cleo, settings):
    settings.AXES_FAILURE_LIMIT = 3
    issued = invite_new_user(actor=cleo, username="kim", role=Role.PATIENT)
    visitor = Client()
    answers = [
        visitor.post(reverse("accounts:invitation-code"), {"code": "A" * CODE_LENGTH}).status_code
        for _ in range(3)
    ]
    assert answers == [404, 404, 429]  # the third failure locks, as at sign-in
    # Now even the right code is refused from this address until the cool-off ends.
    locked = visitor.get(reverse("accounts:invitation", args=[issued.code]))
    assert locked.status_code == 429
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).count() == 3


def test_the_typed_code_leads_to_the_password_form(cleo):
    issued = invite_new_user(actor=cleo, username="lee", role=Role.PATIENT)
    typed = issued.display_code.lower().replace("-", " ")
    answer = Client().post(reverse("accounts:invitation-code"), {"code": typed})
    assert answer["Location"] == reverse("accounts:invitation", args=[issued.code])


def test_only_a_service_admin_adds_staff_and_only_in_their_own_service(service, ben, sam, ada):
    for user in (ben, sam, ada):
        assert signed_in(user).get(reverse("manage:staff")).status_code == 404
        assert signed_in(user).post(reverse("manage:staff-add"), {}).status_code == 404
    assert Client().get(reverse("manage:staff"))["Location"].startswith(reverse("accounts:login"))
    other = Service.objects.create(slug="other", name="Other service")
    olga = make_user(other, "olga", Role.SERVICE_ADMIN)
    issued = invite_new_user(actor=olga, username="max", role=Role.CLINICIAN)
    assert issued.user.service_id == other.id
    cleo = make_user(service, "cleo2", Role.SERVICE_ADMIN)
    reinvite = signed_in(cleo).post(reverse("manage:staff-reinvite", args=[issued.user.id]))
    assert reinvite.status_code == 404
    assert "max" not in signed_in(cleo).get(reverse("manage:staff")).content.decode()


def test_a_taken_user_name_is_refused(cleo, ben):
    page = signed_in(cleo).post(
        reverse("manage:staff-add"),
        {"full_name": "Ben Two", "role": "clinician", "username": "BEN", "email": ""},
    )
    assert page.status_code == 409 and b"taken" in page.content


def test_the_hub_lists_the_admin_tasks_and_a_researcher_sees_research_only(cleo, service):
    hub = signed_in(cleo).get(reverse("manage:hub")).content.decode()
    for name in ("manage:patients", "manage:staff", "manage:teams", "manage:escalation",
                 "safety_planning:review", "manage:research"):  # fmt: skip
        assert reverse(name) in hub
    rita = make_user(service, "rita", Role.RESEARCHER)
    page = signed_in(rita).get(reverse("manage:hub")).content.decode()
    assert reverse("manage:research") in page and reverse("manage:staff") not in page
