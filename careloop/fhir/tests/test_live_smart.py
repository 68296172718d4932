"""SMART on FHIR against a live server on loopback, with SMART's own Python client.

fhirclient (4.4) does the app's side of the standalone launch itself: it reads the OAuth
endpoints from the CapabilityStatement, builds the authorisation URL with a PKCE S256
challenge, and exchanges the code (with its verifier) at /o/token/. The person's side (sign in,
read the consent page, press Allow) is a `requests` session acting as the browser. The token
then reads the patient's Observations with paging, through fhirclient and through fhirpy.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from fhirclient import client as smart_client  # type: ignore[import-untyped]
from fhirclient.models.observation import Observation  # type: ignore[import-untyped]
from fhirpy import SyncFHIRClient

from careloop.accounts.types import Role
from careloop.audit.models import AuditEvent
from careloop.care.models import Patient
from careloop.fhir.smart.clients import register_client
from careloop.fhir.tests.conftest import submit
from careloop.fhir.tests.test_live_clients import sign_in
from careloop.fhir.types import ClientKind
from conftest import make_user

pytestmark = pytest.mark.slow
REDIRECT = "http://127.0.0.1:8765/callback"  # never fetched: the test reads the redirect


class FormFields(HTMLParser):
    """The <input>s of the consent form (hidden OAuth fields and the CSRF token)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name"):
            self.fields[str(found["name"])] = found.get("value") or ""


def approve_in_browser(browser: requests.Session, authorize_url: str) -> str:
    """The person reads the consent page and presses Allow; returns the app's callback URL."""
    page = browser.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    assert "will be able to" in page.text and "<li>See your whole record</li>" in page.text
    # The page's CSP lets the approval redirect go to the app's registered origin.
    assert "form-action 'self' http://127.0.0.1:8765" in page.headers["Content-Security-Policy"]
    form = FormFields()
    form.feed(page.text)
    assert {"client_id", "redirect_uri", "code_challenge", "csrfmiddlewaretoken"} <= set(
        form.fields
    )
    assert form.fields["code_challenge_method"] == "S256"
    approval = browser.post(
        urlsplit(page.url)._replace(query="").geturl(),
        data=form.fields | {"allow": "Authorize"},
        allow_redirects=False,
        timeout=10,
    )
    assert approval.status_code == 302, approval.text[:300]
    callback = approval.headers["Location"]
    assert callback.startswith(REDIRECT)
    return callback


def test_fhirclient_standalone_launch_with_pkce_then_pages(live_server, ada, ada_patient) -> None:
    app = register_client(
        service=ada_patient.service, name="Mood diary", kind=ClientKind.PUBLIC_PKCE,
        redirect_uris=[REDIRECT],
    )  # fmt: skip
    for answer in (0, 1, 2):
        submit(ada_patient, ada, "phq9", [answer] * 9)
    someone_else = make_user(ada_patient.service, "pat-live", Role.PATIENT)
    other = Patient.objects.create(
        service=ada_patient.service,
        user=someone_else,
        care_team=ada_patient.care_team,
        display_name="Other Test",
    )
    submit(other, someone_else, "phq9", [3] * 9)

    smart = smart_client.FHIRClient(
        settings={
            "app_id": app.client_id,
            "api_base": f"{live_server.url}/fhir/r4/",
            "redirect_uri": REDIRECT,
            "scope": "launch/patient patient/*.read",
        }
    )
    authorize_url = smart.authorize_url  # fetches the CapabilityStatement's oauth-uris
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert authorize_url.startswith(f"{live_server.url}/o/authorize/")

    callback = approve_in_browser(sign_in(live_server.url, "ada"), authorize_url)
    smart.handle_callback(callback)  # code + verifier → token, at /o/token/
    assert smart.ready
    assert smart.patient_id == str(ada_patient.id)  # the launch context from the token response

    search = Observation.where(struct={"patient": smart.patient_id, "_count": "7"})
    found = list(search.perform_resources_iter(smart.server))  # follows the Bundle next links
    assert len(found) == 30  # 3 PHQ-9s: a total and 9 items each, over 5 pages
    assert len({o.id for o in found}) == 30
    assert {o.subject.reference for o in found} == {f"Patient/{ada_patient.id}"}
    totals = Observation.where(
        struct={"patient": smart.patient_id, "code": "http://loinc.org|44261-6"}
    )
    assert sorted(o.valueQuantity.value for o in totals.perform_resources_iter(smart.server)) == [
        0, 9, 18,
    ]  # fmt: skip
    # Someone else's record is not reachable with Ada's token.
    elsewhere = Observation.where(struct={"patient": str(other.id)})
    assert list(elsewhere.perform_resources_iter(smart.server)) == []

    # The same bearer token, handed to fhirpy: paging with its own iterator.
    fhirpy = SyncFHIRClient(
        f"{live_server.url}/fhir/r4", authorization=f"Bearer {smart.server.auth.access_token}"
    )
    pages = fhirpy.resources("Observation").search(patient=smart.patient_id).limit(4).fetch_all()
    assert len({o["id"] for o in pages}) == 30

    # Every read was audited with the app's client id.
    reads = AuditEvent.objects.filter(actor=ada, action="assessment.history_viewed")
    assert reads.exists()
    assert {event.detail.get("client_id") for event in reads} == {app.client_id}
