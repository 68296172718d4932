"""Every error a FHIR write or search returns names the FHIR element (or search parameter) at
fault in `issue.expression`, and its diagnostics use FHIR's element names, not Careloop's own
field names (mapping/operation_outcome.py FHIR_PATHS is the one translation table)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from careloop.core import clock
from careloop.fhir.mapping.operation_outcome import FHIR_PATHS, fhir_issue
from careloop.fhir.tests.conftest import phq9_response


def issue_of(response: Any) -> dict[str, Any]:
    [issue] = response.json()["issue"]
    return dict(issue)


FUTURE = (clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"authored": FUTURE}, "QuestionnaireResponse.authored"),
        ({"authored": "1975-01-01T00:00:00Z"}, "QuestionnaireResponse.authored"),
        ({"authored": "not a date"}, "QuestionnaireResponse.authored"),
        ({"questionnaire": "Questionnaire/nope"}, "QuestionnaireResponse.questionnaire"),
        ({"subject": {"reference": "Patient/0190c0de-0000-7000-8000-000000000000"}},
         "QuestionnaireResponse.subject"),
        ({"subject": {"reference": "Group/1"}}, "QuestionnaireResponse.subject"),
        ({"identifier": {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:nope"}},
         "QuestionnaireResponse.identifier"),
        ({"item": [{"linkId": "99", "answer": [{"valueInteger": 1}]}]},
         "QuestionnaireResponse.item"),
        ({"item": [{"linkId": "1", "answer": [{"valueInteger": "x"}]}]},
         "QuestionnaireResponse.item[0].answer[0].valueInteger"),
        ({"status": "unknown"}, "QuestionnaireResponse.status"),
    ],
    ids=["future", "before-1980", "malformed-authored", "questionnaire", "subject-unseen",
         "subject-type", "identifier", "item", "item-value", "status"],
)  # fmt: skip
def test_questionnaire_response_errors_name_the_fhir_path(
    fhir, ada, ada_patient, change, path
) -> None:
    body = phq9_response(ada_patient.id, [0] * 9) | change
    response = fhir(ada).post("QuestionnaireResponse", body)
    assert 400 <= response.status_code < 500, response.json()
    issue = issue_of(response)
    assert path in issue["expression"], issue
    assert "completed_at" not in issue["diagnostics"] and "instrument" not in issue["diagnostics"]


def test_the_future_authored_says_authored(fhir, ada, ada_patient) -> None:
    response = fhir(ada).post(
        "QuestionnaireResponse", phq9_response(ada_patient.id, [0] * 9, authored=FUTURE)
    )
    issue = issue_of(response)
    assert issue["expression"] == ["QuestionnaireResponse.authored"]
    assert issue["diagnostics"].startswith("QuestionnaireResponse.authored ")
    assert "is in the future" in issue["diagnostics"]


@pytest.mark.parametrize(
    ("resource_type", "query", "parameter"),
    [
        ("AuditEvent", {}, "patient"),
        ("Observation", {"_count": "many"}, "_count"),
        ("Observation", {"date": "ap2026-01-01"}, "date"),
        ("Observation", {"date": "2026-13-45"}, "date"),
        ("Observation", {"_sort": "code"}, "_sort"),
        ("Observation", {"_include": "Observation:performer"}, "_include"),
        ("Observation", {"_summary": "true"}, "_summary"),
    ],
)
def test_search_errors_name_the_parameter(fhir, ben, resource_type, query, parameter) -> None:
    response = fhir(ben).get(resource_type, query)
    assert response.status_code == 400, response.json()
    assert issue_of(response)["expression"] == [f"http.{parameter}"]


def test_strict_handling_names_the_unknown_parameter(fhir, ben) -> None:
    response = fhir(ben).get("Observation", {"colour": "red"}, Prefer="handling=strict")
    assert response.status_code == 400
    assert issue_of(response)["expression"] == ["http.colour"]


def test_every_mapped_path_is_an_element_of_its_resource() -> None:
    for resource_type, names in FHIR_PATHS.items():
        fields = get_fhir_model_class(resource_type).model_fields
        for path, _ in names.values():
            element = path.removeprefix(f"{resource_type}.").split(".")[0]
            assert element in fields, path


def test_fhir_issue_translates_the_first_field_named() -> None:
    assert fhir_issue("QuestionnaireResponse", "completed_at 2031-01-01 is in the future") == (
        "QuestionnaireResponse.authored 2031-01-01 is in the future",
        ["QuestionnaireResponse.authored"],
    )
    assert fhir_issue("Patient", "Patient.meta.versionId cannot be set") == (
        "Patient.meta.versionId cannot be set",
        ["Patient.meta.versionId"],
    )
    assert fhir_issue(None, "not found") == ("not found", [])
    assert fhir_issue("Patient", "version conflict") == ("version conflict", [])


def test_a_conditional_create_error_names_the_header_not_the_body(fhir, ada, ada_patient) -> None:
    body = phq9_response(ada_patient.id, [0] * 9)
    response = fhir(ada).post("QuestionnaireResponse", body, **{"If-None-Exist": "patient=x"})
    assert response.status_code == 400
    assert issue_of(response)["expression"] == ["http.If-None-Exist"]
