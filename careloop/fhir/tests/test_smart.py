"""SMART on FHIR end to end through Django's test client: discovery, authorisation code + PKCE
(S256) for a patient and a clinician, client credentials, and the bearer-token edge (401/403)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from datetime import timedelta
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from careloop.accounts.types import Role
from careloop.audit.keys import patient_ref
from careloop.audit.models import AuditEvent
from careloop.care.models import Patient
from careloop.core.models import Service
from careloop.fhir.smart.clients import ClientRejected, register_client
from careloop.fhir.tests.conftest import phq9_response, submit
from careloop.fhir.tests.fhir_assert import assert_valid_fhir
from careloop.fhir.types import ClientKind

REDIRECT = "http://127.0.0.1:8765/callback"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorise(browser: Client, client_id: str, scope: str, *, secret: str | None = None) -> Any:
    """The whole authorisation-code flow: consent page, approval, code → token (PKCE S256)."""
    verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = browser.get("/o/authorize/", query)
    assert page.status_code == 200, page.content[:500]
    approval = browser.post("/o/authorize/", query | {"allow": "Authorize"})
    assert approval.status_code == 302, approval.content[:500]
    returned = parse_qs(urlparse(approval["Location"]).query)
    assert returned["state"] == ["state-123"], returned
    assert "code" in returned, returned
    exchange = {
        "grant_type": "authorization_code",
        "code": returned["code"][0],
        "redirect_uri": REDIRECT,
        "client_id": client_id,
        "code_verifier": verifier,
    }
    if secret is not None:
        exchange["client_secret"] = secret
    response = Client().post("/o/token/", exchange)
    assert response.status_code == 200, response.content
    return response.json()


def system_token(client_id: str, secret: str | None, scope: str = "system/*.read") -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": scope},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def patient_app(service):
    return register_client(
        service=service, name="Diary app", kind=ClientKind.PUBLIC_PKCE, redirect_uris=[REDIRECT]
    )


@pytest.fixture
def clinic_app(service):
    return register_client(
        service=service, name="Clinic app", kind=ClientKind.CONFIDENTIAL, redirect_uris=[REDIRECT]
    )


@pytest.fixture
def system_app(service):
    return register_client(
        service=service, name="EHR feed", kind=ClientKind.SYSTEM, redirect_uris=[]
    )


@pytest.fixture
def dana_patient(service, south):
    from conftest import make_user

    user = make_user(service, "pat-south", Role.PATIENT)
    return Patient.objects.create(
        service=service, user=user, care_team=south, display_name="South Test", birth_year=1985
    )


def test_discovery_document_at_fhir_base_and_root(db) -> None:
    for path in ("/fhir/r4/.well-known/smart-configuration", "/.well-known/smart-configuration"):
        document = Client().get(path).json()
        assert document["authorization_endpoint"].endswith("/o/authorize/")
        assert document["token_endpoint"].endswith("/o/token/")
        assert document["code_challenge_methods_supported"] == ["S256"]
        assert {"authorization_code", "client_credentials"} <= set(
            document["grant_types_supported"]
        )
        assert {"launch-standalone", "client-public", "permission-v1"} <= set(
            document["capabilities"]
        )
        assert {"patient/*.read", "user/*.read", "system/*.read"} <= set(
            document["scopes_supported"]
        )


def test_capability_statement_declares_smart_security_and_export(db) -> None:
    statement = Client().get("/fhir/r4/metadata").json()
    assert_valid_fhir(statement)
    security = statement["rest"][0]["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    uris = {e["url"]: e["valueUri"] for e in security["extension"][0]["extension"]}
    assert uris["authorize"].endswith("/o/authorize/") and uris["token"].endswith("/o/token/")
    assert statement["rest"][0]["operation"][0]["name"] == "export"


def test_patient_reads_own_data_with_pkce_token(
    as_user, ada, ada_patient, ben, dana_patient, patient_app
) -> None:
    mine = submit(ada_patient, ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0])
    theirs = submit(dana_patient, dana_patient.user, "phq9", [2, 2, 2, 2, 2, 2, 2, 2, 0])
    token = authorise(as_user(ada), patient_app.client_id, "launch/patient patient/*.read")
    assert token["patient"] == str(ada_patient.id)
    assert token["token_type"] == "Bearer"
    app = bearer(token["access_token"])
    bundle = app.get("/fhir/r4/Observation", {"_count": 100}).json()
    assert_valid_fhir(bundle)
    subjects = {e["resource"]["subject"]["reference"] for e in bundle["entry"]}
    assert subjects == {f"Patient/{ada_patient.id}"}
    assert app.get(f"/fhir/r4/Observation/{mine.id}-total").status_code == 200
    assert app.get(f"/fhir/r4/Observation/{theirs.id}-total").status_code == 404
    assert app.get(f"/fhir/r4/Patient/{dana_patient.id}").status_code == 404
    # Every read through a token is audited like a session read.
    reads = AuditEvent.objects.filter(actor=ada, action="assessment.history_viewed")
    assert reads.filter(patient_ref=patient_ref(ada_patient.id)).exists()


def test_patient_token_can_create_a_response_without_csrf(
    as_user, ada, ada_patient, patient_app
) -> None:
    token = authorise(
        as_user(ada), patient_app.client_id, "patient/QuestionnaireResponse.write patient/*.read"
    )
    response = bearer(token["access_token"]).post(
        "/fhir/r4/QuestionnaireResponse",
        json.dumps(phq9_response(ada_patient.id, [0, 0, 1, 0, 0, 0, 0, 0, 0])),
        content_type="application/fhir+json",
    )
    assert response.status_code == 201, response.content
    read_only = authorise(as_user(ada), patient_app.client_id, "patient/*.read")
    refused = bearer(read_only["access_token"]).post(
        "/fhir/r4/QuestionnaireResponse",
        json.dumps(phq9_response(ada_patient.id, [0] * 9)),
        content_type="application/fhir+json",
    )
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused["WWW-Authenticate"]


def test_clinician_user_token_sees_own_team_only(
    as_user, ada, ada_patient, ben, dana_patient, clinic_app
) -> None:
    token = authorise(
        as_user(ben), clinic_app.client_id, "user/*.read", secret=clinic_app.client_secret
    )
    assert "patient" not in token
    bundle = bearer(token["access_token"]).get("/fhir/r4/Patient").json()
    assert {e["resource"]["id"] for e in bundle["entry"]} == {str(ada_patient.id)}


def test_patient_scopes_are_refused_for_staff(as_user, ben, clinic_app) -> None:
    _verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": clinic_app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "patient/*.read",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    approval = as_user(ben).post("/o/authorize/", query | {"allow": "Authorize"})
    assert approval.status_code == 302
    assert parse_qs(urlparse(approval["Location"]).query)["error"] == ["invalid_scope"]


def test_staff_must_pass_mfa_before_authorising(as_user, ben, clinic_app) -> None:
    _, challenge = pkce_pair()
    response = as_user(ben, mfa_verified=False).get(
        "/o/authorize/",
        {"response_type": "code", "client_id": clinic_app.client_id, "redirect_uri": REDIRECT,
         "scope": "user/*.read", "code_challenge": challenge, "code_challenge_method": "S256"},
    )  # fmt: skip
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_pkce_is_required_and_checked(as_user, ada, ada_patient, patient_app) -> None:
    browser = as_user(ada)
    no_challenge = browser.get(
        "/o/authorize/",
        {"response_type": "code", "client_id": patient_app.client_id, "redirect_uri": REDIRECT,
         "scope": "patient/*.read", "state": "s"},
    )  # fmt: skip
    assert no_challenge.status_code == 302
    assert "error=invalid_request" in no_challenge["Location"]
    _, challenge = pkce_pair()
    query = {
        "response_type": "code", "client_id": patient_app.client_id, "redirect_uri": REDIRECT,
        "scope": "patient/*.read", "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256",
    }  # fmt: skip
    approval = browser.post("/o/authorize/", query | {"allow": "Authorize"})
    code = parse_qs(urlparse(approval["Location"]).query)["code"][0]
    wrong_verifier = Client().post(
        "/o/token/",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
         "client_id": patient_app.client_id, "code_verifier": secrets.token_urlsafe(48)},
    )  # fmt: skip
    assert wrong_verifier.status_code == 400
    assert wrong_verifier.json()["error"] == "invalid_grant"


def test_missing_invalid_and_expired_tokens_get_401_bearer_challenge(
    as_user, ada, ada_patient, patient_app
) -> None:
    anonymous = Client().get("/fhir/r4/Observation")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert anonymous.json()["resourceType"] == "OperationOutcome"
    unknown = bearer("not-a-token").get("/fhir/r4/Observation")
    assert unknown.status_code == 401
    assert 'error="invalid_token"' in unknown["WWW-Authenticate"]
    token = authorise(as_user(ada), patient_app.client_id, "patient/*.read")["access_token"]
    assert bearer(token).get("/fhir/r4/Patient").status_code == 200
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    expired = bearer(token).get("/fhir/r4/Patient")
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired["WWW-Authenticate"]


def test_revoked_token_is_refused(as_user, ada, ada_patient, patient_app) -> None:
    token = authorise(as_user(ada), patient_app.client_id, "patient/*.read")["access_token"]
    revoked = Client().post(
        "/o/revoke_token/", {"token": token, "client_id": patient_app.client_id}
    )
    assert revoked.status_code == 200
    assert bearer(token).get("/fhir/r4/Patient").status_code == 401


def test_scope_must_cover_the_resource_type(as_user, ada, ada_patient, patient_app) -> None:
    token = authorise(as_user(ada), patient_app.client_id, "patient/Observation.rs")
    app = bearer(token["access_token"])
    assert app.get("/fhir/r4/Observation").status_code == 200
    refused = app.get(f"/fhir/r4/Patient/{ada_patient.id}")
    assert refused.status_code == 403
    assert refused.json()["issue"][0]["code"] == "forbidden"
    assert 'error="insufficient_scope"' in refused["WWW-Authenticate"]


def test_system_token_is_for_bulk_export_only(system_app, ada_patient) -> None:
    token = system_token(system_app.client_id, system_app.client_secret)
    refused = bearer(token).get("/fhir/r4/Patient")
    assert refused.status_code == 403
    assert "bulk export" in refused.json()["issue"][0]["diagnostics"]
    assert bearer(token).get("/fhir/r4/metadata").status_code == 200


def test_system_client_cannot_ask_for_person_scopes(system_app) -> None:
    basic = base64.b64encode(f"{system_app.client_id}:{system_app.client_secret}".encode()).decode()
    response = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": "user/*.read"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_token_of_a_client_from_another_service_is_refused(as_user, ada, ada_patient) -> None:
    elsewhere = Service.objects.create(slug="elsewhere", name="Elsewhere")
    foreign = register_client(
        service=elsewhere, name="Foreign", kind=ClientKind.PUBLIC_PKCE, redirect_uris=[REDIRECT]
    )
    token = authorise(as_user(ada), foreign.client_id, "patient/*.read")["access_token"]
    assert bearer(token).get("/fhir/r4/Patient").status_code == 401


def test_registration_rules_and_command(service) -> None:
    with pytest.raises(ClientRejected):
        register_client(service=service, name="x", kind=ClientKind.PUBLIC_PKCE, redirect_uris=[])
    with pytest.raises(ClientRejected):
        register_client(
            service=service, name="x", kind=ClientKind.SYSTEM, redirect_uris=[], purpose="PATRQT"
        )
    out = StringIO()
    call_command(
        "fhir_client", "add", "--service", service.slug, "--name", "Feed", "--kind", "system",
        "--purpose", "HOPERAT", stdout=out,
    )  # fmt: skip
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    assert lines["client_id"] and len(lines["client_secret"]) > 30
    listing = StringIO()
    call_command("fhir_client", "list", "--service", service.slug, stdout=listing)
    assert "system purpose=HOPERAT" in listing.getvalue()
    # The secret works once printed: only its hash is stored.
    assert system_token(lines["client_id"], lines["client_secret"])


def test_token_reads_are_audited_with_the_client_id(
    as_user, ada, ada_patient, ben, patient_app
) -> None:
    submit(ada_patient, ada, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 0])
    token = authorise(as_user(ada), patient_app.client_id, "patient/*.read")["access_token"]
    app = bearer(token)
    assert app.get("/fhir/r4/Observation").status_code == 200
    assert app.get(f"/fhir/r4/Patient/{ada_patient.id}").status_code == 200
    for action, resource, interaction in (
        ("assessment.history_viewed", "Observation", "search-type"),
        ("patient.viewed", "Patient", "read"),
    ):
        event = AuditEvent.objects.filter(actor=ada, action=action).get()
        assert event.patient_ref == patient_ref(ada_patient.id)
        assert event.detail == {
            "via": "fhir",
            "resource": resource,
            "interaction": interaction,
            "client_id": patient_app.client_id,
        }
    # A session read names no client.
    as_user(ben).get("/fhir/r4/Observation")
    session_read = AuditEvent.objects.filter(actor=ben, action="assessment.history_viewed").get()
    assert "client_id" not in session_read.detail


def test_patient_token_with_patient_write_updates_contact_details(
    as_user, ada, ada_patient, patient_app
) -> None:
    writer = authorise(
        as_user(ada), patient_app.client_id, "patient/Patient.read patient/Patient.u"
    )
    app = bearer(writer["access_token"])
    read = app.get(f"/fhir/r4/Patient/{ada_patient.id}")
    body = read.json() | {"telecom": [{"system": "phone", "value": "+447700900456"}]}
    response = app.put(
        f"/fhir/r4/Patient/{ada_patient.id}",
        json.dumps(body),
        content_type="application/fhir+json",
        headers={"If-Match": read["ETag"]},
    )
    assert response.status_code == 200, response.content
    ada.refresh_from_db()
    assert ada.phone_number == "+447700900456"
    reader = authorise(as_user(ada), patient_app.client_id, "patient/*.read")
    refused = bearer(reader["access_token"]).put(
        f"/fhir/r4/Patient/{ada_patient.id}",
        json.dumps(body),
        content_type="application/fhir+json",
        headers={"If-Match": response["ETag"]},
    )
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused["WWW-Authenticate"]


def _authorize_query(client_id: str, scope: str) -> dict[str, str]:
    _, challenge = pkce_pair()
    return {
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
        "scope": scope, "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256",
    }  # fmt: skip


def test_consent_page_is_careloops_plain_language_page(as_user, ada, ada_patient, patient_app):
    page = as_user(ada).get(
        "/o/authorize/",
        _authorize_query(patient_app.client_id, "launch/patient patient/Observation.read"),
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Skip to main content" in html  # extends base.html
    assert "Allow “Diary app” to use your Careloop account?" in html
    assert "<legend>If you allow it, “Diary app” will be able to:</legend>" in html
    assert "<li>See your questionnaire scores and answers</li>" in html
    assert "<li>Know which patient record is yours</li>" in html
    assert "Only your own record." in html
    assert "<strong>127.0.0.1:8765</strong>" in html
    assert re.search(r'<button type="submit">Don(\'|&#x27;)t allow</button>', html)
    assert '<button type="submit" name="allow" value="Authorize">Allow “Diary app”</button>' in html


def test_denying_on_the_consent_page_returns_access_denied(
    as_user, ada, ada_patient, patient_app
) -> None:
    query = _authorize_query(patient_app.client_id, "patient/*.read")
    denied = as_user(ada).post("/o/authorize/", query)  # the "Don't allow" button: no `allow`
    assert denied.status_code == 302
    returned = parse_qs(urlparse(denied["Location"]).query)
    assert returned["error"] == ["access_denied"] and "code" not in returned
    assert not AccessToken.objects.exists()


def test_consent_page_for_an_unknown_client_shows_an_error(as_user, ada, ada_patient) -> None:
    page = as_user(ada).get("/o/authorize/", _authorize_query("no-such-client", "patient/*.read"))
    assert page.status_code == 400
    html = page.content.decode()
    assert "This app cannot be connected" in html and "Invalid client_id parameter" in html
    assert "http://127.0.0.1:8765" not in page["Content-Security-Policy"]


def test_consent_page_csp_allows_the_clients_redirect_origin(
    as_user, ada, ada_patient, patient_app, service
) -> None:
    """form-action also governs the redirect after the form posts: the app's origin must be in
    it, and only the requesting client's origins (never another client's)."""
    register_client(
        service=service, name="Other", kind=ClientKind.PUBLIC_PKCE,
        redirect_uris=["https://other.example/cb"],
    )  # fmt: skip
    browser = as_user(ada)
    query = _authorize_query(patient_app.client_id, "patient/*.read")
    page = browser.get("/o/authorize/", query)
    policy = {d.split()[0]: d.split()[1:] for d in page["Content-Security-Policy"].split("; ") if d}
    assert policy["form-action"] == ["'self'", "http://127.0.0.1:8765"]
    assert policy["default-src"] == ["'self'"]  # the rest of the policy is unchanged
    approval = browser.post("/o/authorize/", query | {"allow": "Authorize"})
    assert "http://127.0.0.1:8765" in approval["Content-Security-Policy"]
    assert "other.example" not in page["Content-Security-Policy"]
    elsewhere = browser.get("/accounts/login/")
    assert "127.0.0.1:8765" not in elsewhere.get("Content-Security-Policy", "")


def test_redirect_origins_of_web_and_native_apps() -> None:
    from careloop.fhir.smart.consent import redirect_origins

    assert redirect_origins(
        "https://app.example/cb https://app.example:8443/x http://127.0.0.1:8765/callback "
        "com.example.diary:/oauth https://user:pw@app.example/cb"
    ) == [
        "https://app.example", "https://app.example:8443", "http://127.0.0.1:8765",
        "com.example.diary:",
    ]  # fmt: skip
