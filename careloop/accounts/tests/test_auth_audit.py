"""Authentication events are audited on the hash chain (issue #18 item 9).

Each kind (sign-in, failed sign-in for a known and an unknown account, lockout by username+IP and
by IP, TOTP failure, denied request) is one event on the right chain (the account's service, or
the system chain when the account is unknown) with no password, code or typed username in it,
the chain still verifies, and the service admin sees the events of their service.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from careloop.accounts import mfa
from careloop.audit.keys import identifier_ref
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.audit.verification import verify_all
from careloop.privacy import breakglass
from conftest import PASSWORD

WRONG = "wrong password!"
GHOST = "nobody-by-this-name"


def _login(client: Client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _no_secrets(*secrets: str) -> None:
    """No stored event holds any of `secrets`, anywhere (detail, route, object)."""
    for event in AuditEvent.objects.all():
        stored = json.dumps(
            [event.detail, event.object_id, event.object_type, event.action], default=str
        )
        for secret in secrets:
            assert secret not in stored, (event.action, secret)


def _chains_verify() -> None:
    reports = verify_all()
    assert reports and all(report.ok for report in reports), [r.problem for r in reports]


def test_sign_in_is_audited_on_the_users_service_chain(ada, ada_patient, service) -> None:
    assert _login(Client(), "ada")["Location"] == "/"
    [event] = _events(AuditAction.SIGNED_IN)
    assert (event.actor_id, event.service_id) == (ada.id, service.id)
    assert event.source_ip == "127.0.0.1"
    _no_secrets(PASSWORD)
    _chains_verify()


def test_failed_sign_in_of_a_known_account_names_its_id_not_the_password(ada, service) -> None:
    assert _login(Client(), "ada", WRONG).status_code == 200
    [event] = _events(AuditAction.SIGN_IN_FAILED)
    assert event.service_id == service.id
    assert event.actor_id is None  # nobody signed in
    assert event.detail == {"user_id": str(ada.id)}
    _no_secrets(WRONG, PASSWORD)
    _chains_verify()


def test_failed_sign_in_of_an_unknown_name_is_a_keyed_pseudonym_on_the_system_chain(db) -> None:
    _login(Client(), GHOST, WRONG)
    _login(Client(), GHOST, WRONG)
    first, second = _events(AuditAction.SIGN_IN_FAILED)
    assert first.service_id is None  # system chain
    assert first.detail == {"username_ref": identifier_ref("username", GHOST)}
    assert second.detail == first.detail  # repeated attempts match
    _no_secrets(GHOST, WRONG)
    _chains_verify()


def test_lockout_is_audited(ada, ada_patient, service) -> None:
    client = Client()
    for _ in range(5):
        _login(client, "ada", WRONG)
    assert _login(client, "ada").status_code == 429
    locked = _events(AuditAction.LOCKED_OUT)
    assert locked, "the lockout left no audit event"
    assert {e.service_id for e in locked} == {service.id}
    assert all(e.detail == {"user_id": str(ada.id), "scope": "username_ip"} for e in locked)
    _no_secrets(WRONG, PASSWORD)
    _chains_verify()


def test_the_ip_wide_lockout_is_audited(ada, ada_patient, settings) -> None:
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    client = Client()
    for index in range(3):
        _login(client, f"guess-{index}", WRONG)
    assert _login(client, "ada").status_code == 429
    [event] = _events(AuditAction.LOCKED_OUT)
    assert event.detail == {"user_id": str(ada.id), "scope": "ip"}
    _no_secrets(WRONG, PASSWORD, "guess-0")
    _chains_verify()


def test_a_wrong_totp_code_is_audited_without_the_code(ben, service) -> None:
    client = Client()
    _login(client, "ben")
    assert client.post("/accounts/verify/", {"code": "123456"}).status_code == 400
    [event] = _events(AuditAction.MFA_FAILED)
    assert (event.actor_id, event.service_id, event.detail) == (
        ben.id,
        service.id,
        {"step": "verify"},
    )
    _no_secrets("123456", PASSWORD)
    _chains_verify()


def test_denied_requests_are_audited_with_the_route_not_the_ids(
    ben, dana, ada_patient, as_user, service
) -> None:
    # The staff-MFA gate (a 403 from middleware)...
    half_signed_in = as_user(ben, mfa_verified=False)
    assert half_signed_in.get("/api/alerts").status_code == 403
    # ...and emergency access trying to write (a 403 from the service).
    breakglass.start(actor=dana, patient=ada_patient, reason="Seen in A&E, team unreachable")
    refused = as_user(dana).put(
        f"/api/patients/{ada_patient.id}/plan/items/gad7",
        json.dumps({"every_days": 14, "overdue_after_days": 3}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    gate, write = _events(AuditAction.ACCESS_DENIED)
    assert (gate.actor_id, gate.service_id) == (ben.id, service.id)
    assert gate.detail == {"method": "GET", "route": "/api/alerts"}
    assert (write.actor_id, write.detail["route"]) == (
        dana.id,
        "/api/patients/{id}/plan/items/gad7",
    )
    _no_secrets(str(ada_patient.id))
    _chains_verify()


def test_a_csrf_failure_of_an_anonymous_visitor_goes_on_the_system_chain(db) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 403
    [event] = _events(AuditAction.ACCESS_DENIED)
    assert (event.service_id, event.actor_id) == (None, None)
    _chains_verify()


def test_the_service_admin_sees_their_services_auth_events(ada, ben, cleo, as_user) -> None:
    _login(Client(), "ada")
    _login(Client(), "ben", WRONG)
    _login(Client(), GHOST, WRONG)  # system chain: not this service's
    page = as_user(cleo).get("/accounts/security/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Signed in" in html and "Failed sign-in" in html
    assert "ada (patient)" in html
    assert str(ben.id)[-8:] in html
    assert GHOST not in html and WRONG not in html
    assert page["Cache-Control"] == "no-store"
    home = as_user(cleo).get("/", follow=True).content.decode()  # lands on /manage/
    assert "/accounts/security/" in home  # linked from the admin's navigation


@pytest.mark.parametrize("who", ["ben", "ada"])
def test_nobody_else_sees_the_security_page(who, request, as_user) -> None:
    user = request.getfixturevalue(who)
    assert as_user(user).get("/accounts/security/").status_code == 404


def test_the_admin_must_have_passed_mfa_to_see_it(cleo, as_user) -> None:
    assert mfa.confirmed_device(cleo) is not None
    page = as_user(cleo, mfa_verified=False).get("/accounts/security/")
    assert page.status_code == 302 and page["Location"] == "/accounts/verify/"


def test_the_password_step_is_not_called_a_complete_sign_in(ben, cleo, as_user) -> None:
    """Seen in Chromium: "Signed in" then "Wrong authenticator code" for the same staff login."""
    _login(Client(), "ben")
    html = as_user(cleo).get("/accounts/security/").content.decode()
    assert "<td>Signed in with password</td>" in html
    assert "<td>Signed in</td>" not in html
