from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from careloop.accounts import mfa
from careloop.core.models import Service
from conftest import PASSWORD


def _login(client: Client, username: str):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def test_staff_password_login_leads_to_mfa_and_patient_pages_are_closed_until_then(ben) -> None:
    client = Client()
    response = _login(client, "ben")
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/"
    assert client.get("/caseload/")["Location"] == "/accounts/verify/"
    api = client.get("/api/alerts")
    assert api.status_code == 403 and "Multi-factor" in api.json()["detail"]


def test_correct_code_opens_the_caseload_and_a_wrong_one_does_not(ben) -> None:
    client = Client()
    _login(client, "ben")
    assert client.post("/accounts/verify/", {"code": "000000"}).status_code == 400
    assert client.get("/caseload/").status_code == 302
    device = mfa.confirmed_device(ben)
    device.throttle_reset()  # django-otp delays the next try after a failure (brute-force guard)
    code = mfa.current_code(device)
    assert client.post("/accounts/verify/", {"code": code})["Location"] == "/"
    assert client.get("/caseload/").status_code == 200


def test_staff_without_authenticator_must_enrol_first(service) -> None:
    from careloop.accounts.models import User
    from careloop.accounts.types import Role

    user = User.objects.create_user(
        "newbie", password=PASSWORD, role=Role.CLINICIAN, service=service
    )
    client = Client()
    _login(client, "newbie")
    assert client.get("/accounts/verify/")["Location"] == "/accounts/enrol/"
    page = client.get("/accounts/enrol/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = mfa.pending_device(user)
    assert client.post("/accounts/enrol/", {"code": mfa.current_code(device)})["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed


def test_patients_do_not_need_mfa(ada, ada_patient) -> None:
    client = Client()
    assert _login(client, "ada")["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_gives_the_same_answer_for_unknown_users(ben) -> None:
    known = Client().post("/accounts/login/", {"username": "ben", "password": "wrong"})
    unknown = Client().post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert known.status_code == unknown.status_code == 200
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", known.content) == token.sub(b"", unknown.content)


def test_argon2id_is_the_first_hasher_outside_tests() -> None:
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    hashers = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]  # MD5 only under pytest
    assert hashers[0].endswith("Argon2PasswordHasher")
    assert make_password("a long passphrase", hasher="argon2").startswith("argon2$argon2id$")


def test_otp_code_command_only_serves_demo_services(ben, capsys) -> None:
    with pytest.raises(CommandError, match="demo"):
        call_command("otp_code", "ben")
    Service.objects.filter(id=ben.service_id).update(is_demo=True)
    call_command("otp_code", "ben")
    code = capsys.readouterr().out.strip()
    assert code.isdigit() and len(code) == 6
    assert mfa.confirmed_device(ben).verify_token(code)


def test_sign_out_clears_offline_copies(ada, ada_patient) -> None:
    client = Client()
    _login(client, "ada")
    response = client.post("/accounts/logout/")
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/").status_code == 302


def test_fhir_clients_of_staff_without_mfa_get_an_operation_outcome(ben) -> None:
    client = Client()
    _login(client, "ben")
    response = client.get("/fhir/r4/Patient")
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.json()["issue"][0]["code"] == "security"
