"""Real third-party FHIR clients (SMART's fhirclient and fhirpy) against a live server on
loopback: create a QuestionnaireResponse, read its Observations, search with paging.

Authentication: SMART on FHIR is not built yet, so each client signs in through the real login
(and, for staff, TOTP) pages and is handed the session cookie plus the CSRF token header.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from fhirclient import client as smart_client  # type: ignore[import-untyped]
from fhirclient.models.observation import Observation  # type: ignore[import-untyped]
from fhirclient.models.questionnaireresponse import (  # type: ignore[import-untyped]
    QuestionnaireResponse,
)
from fhirpy import SyncFHIRClient

from careloop.accounts import mfa
from careloop.assessments.models import Assessment
from careloop.fhir.tests.conftest import phq9_response
from careloop.fhir.tests.fhir_assert import assert_valid_fhir
from conftest import PASSWORD

pytestmark = pytest.mark.slow


def sign_in(base: str, username: str, *, staff: bool = False) -> requests.Session:
    """Sign in through the live login page (and the TOTP page for staff), like a browser."""
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD,
              "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=10,
    )  # fmt: skip
    assert response.status_code == 200, response.status_code
    if staff:
        from careloop.accounts.models import User

        device = mfa.confirmed_device(User.objects.get(username=username))
        response = session.post(
            f"{base}/accounts/verify/",
            data={"code": mfa.current_code(device),
                  "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            timeout=10,
        )  # fmt: skip
        assert response.status_code == 200, response.status_code
    return session


def test_fhirclient_creates_reads_and_pages(live_server, ben, ada_patient) -> None:
    session = sign_in(live_server.url, "ben", staff=True)
    smart = smart_client.FHIRClient(
        settings={"app_id": "careloop-test", "api_base": f"{live_server.url}/fhir/r4/"}
    )
    smart.server.session.cookies.update(session.cookies)
    smart.server.session.headers["X-CSRFToken"] = session.cookies["csrftoken"]

    body = phq9_response(ada_patient.id, [0, 1, 2, 3, 0, 1, 2, 3, 0],
                         identifier={"system": "urn:ietf:rfc:3986",
                                     "value": f"urn:uuid:{uuid.uuid4()}"})  # fmt: skip
    created = QuestionnaireResponse(body).create(smart.server)
    assert_valid_fhir(created)
    assessment = Assessment.objects.get(id=created["id"])
    assert assessment.score_total == 12

    total = Observation.read(f"{assessment.id}-total", smart.server)
    assert total.valueQuantity.value == 12
    assert total.code.coding[0].code == "44261-6"

    search = Observation.where(struct={"patient": str(ada_patient.id), "_count": "3"})
    found = list(search.perform_resources_iter(smart.server))  # follows the next links
    assert len(found) == 10  # total + 9 answered items, over 4 pages
    assert len({o.id for o in found}) == 10
    by_code = Observation.where(
        struct={"patient": str(ada_patient.id), "code": "http://loinc.org|44260-8"}
    )
    item9 = list(by_code.perform_resources_iter(smart.server))
    assert [o.valueCodeableConcept.coding[0].code for o in item9] == ["LA6568-5"]


def test_fhirpy_creates_reads_and_pages(live_server, ada, ada_patient) -> None:
    session = sign_in(live_server.url, "ada")
    cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    fhir = SyncFHIRClient(
        f"{live_server.url}/fhir/r4",
        extra_headers={"Cookie": cookies, "X-CSRFToken": session.cookies["csrftoken"]},
    )
    for answer in range(4):
        response = fhir.resource(
            "QuestionnaireResponse",
            resourceType="QuestionnaireResponse",
            status="completed",
            questionnaire="Questionnaire/gad7",
            subject={"reference": f"Patient/{ada_patient.id}"},
            item=[{"linkId": str(n), "answer": [{"valueInteger": answer}]} for n in range(1, 8)],
        )
        response.save()
        assert response.id
    latest = fhir.reference("Observation", f"{response.id}-total").to_resource()
    assert latest["valueQuantity"]["value"] == 21

    totals = fhir.resources("Observation").search(
        patient=str(ada_patient.id), code="http://loinc.org|70274-6"
    )
    assert totals.count() == 4
    pages = totals.limit(3).fetch_all()  # walks the Bundle next links
    assert sorted(o["valueQuantity"]["value"] for o in pages) == [0, 7, 14, 21]
    for observation in pages:
        assert_valid_fhir(observation.serialize())
