"""FHIR QuestionnaireResponse POST: answer decoding and completion time (issue #18 items 2, 7).

`true` is not a number, `authored` in year 1 or in the future is refused, and an in-progress
response with a risk answer is kept (unscored, `status: in-progress`) instead of refused.
Hazards HZ-017 and HZ-018.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from careloop.assessments.models import Assessment
from careloop.core import clock
from careloop.fhir.mapping.narrative import without_narrative
from careloop.fhir.smart.clients import register_client
from careloop.fhir.tests.conftest import phq9_response, submit
from careloop.fhir.tests.test_bulk import download, export, finished_manifest
from careloop.fhir.tests.test_smart import bearer, system_token
from careloop.fhir.types import ClientKind
from careloop.safety.models import Alert


def test_fhir_value_integer_true_is_refused(fhir, ada, ada_patient) -> None:
    body = phq9_response(ada_patient.id, [0] * 9)
    body["item"][0]["answer"] = [{"valueInteger": True}]
    response: Any = fhir(ada).post("QuestionnaireResponse", body)
    assert response.status_code == 422, response.json()
    assert "item 1" in response.json()["issue"][0]["diagnostics"]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    "authored",
    ["0001-01-01T00:00:00Z", (clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")],
    ids=["year-1", "two-days-ahead"],  # not the clock: pytest-xdist's workers must agree on ids
)
def test_fhir_authored_in_year_1_or_the_future_is_refused(fhir, ada, ada_patient, authored) -> None:
    body = phq9_response(ada_patient.id, [0] * 9, authored=authored)
    response = fhir(ada).post("QuestionnaireResponse", body)
    assert 400 <= response.status_code < 500, response.json()
    assert not Assessment.objects.exists()


def test_fhir_in_progress_response_with_a_risk_answer_is_kept_and_read_back_in_progress(
    fhir, ada, ada_patient
) -> None:
    body = phq9_response(ada_patient.id, [1, 1, 0, 2, 0, 0, 1, 1, 3], status="in-progress")
    body["item"] = [entry for entry in body["item"] if entry["linkId"] not in ("3", "5", "6")]
    client = fhir(ada)
    created = client.post("QuestionnaireResponse", body)
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "in-progress"
    stored = Assessment.objects.get()
    assert (stored.status, stored.score_total, stored.missing_items) == (
        "incomplete",
        None,
        ["3", "5", "6"],
    )
    observations = client.get("Observation", {"patient": str(ada_patient.id)}).json()
    codes = [entry["resource"]["id"] for entry in observations.get("entry", [])]
    assert f"{stored.id}-total" not in codes  # no total Observation for an unscored response
    assert f"{stored.id}-item-9" in codes  # the answers given are there
    assert Alert.objects.filter(assessment=stored).count() == 1
    found = client.get("QuestionnaireResponse", {"status": "in-progress"}).json()
    assert [entry["resource"]["id"] for entry in found["entry"]] == [str(stored.id)]


def test_bulk_line_of_an_incomplete_response_equals_its_read(
    service, fhir, ada, ada_patient, ben
) -> None:
    """The bulk export maps an incomplete response itself (no compiled shape): same as a read."""
    stored = submit(ada_patient, ada, "phq9", [1, 1, None, 2, None, None, 1, 1, 3])
    app = register_client(service=service, name="Feed", kind=ClientKind.SYSTEM, redirect_uris=[])
    feed = bearer(system_token(app.client_id, app.client_secret))
    manifest = finished_manifest(feed, export(feed, service.id, "?_type=QuestionnaireResponse"))
    [line] = download(feed, manifest["output"][0]["url"])
    assert line["status"] == "in-progress"
    read = fhir(ben).get(f"QuestionnaireResponse/{stored.id}").json()
    assert line == without_narrative(read)  # bulk lines omit the generated narrative
