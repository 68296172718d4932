"""The framework-free mapping layer: every emitted resource is valid R4, and mappings are exact."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.observation import Observation

from careloop.fhir.mapping.bundle import page_links
from careloop.fhir.mapping.flag import flag_resource
from careloop.fhir.mapping.observation import (
    codes_by_token,
    observation_parts,
    observation_resource,
)
from careloop.fhir.mapping.patient import patient_resource
from careloop.fhir.mapping.practitioner import practitioner_resource
from careloop.fhir.mapping.questionnaire import questionnaire_resource
from careloop.fhir.mapping.questionnaire_response import (
    ResponseRejected,
    questionnaire_response_resource,
    read_questionnaire_response,
)
from careloop.fhir.mapping.valuesets import value_set_violations
from careloop.fhir.tests.fhir_assert import assert_valid_fhir
from careloop.instruments.library import get_instrument, list_instruments

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@dataclass
class FakeAssessment:
    instrument_id: str
    answers: list[int | None]
    score_total: float | None
    items_available: bool = True
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    patient_id: uuid.UUID = field(default_factory=uuid.uuid4)
    client_id: uuid.UUID = field(default_factory=uuid.uuid4)
    completed_at: datetime = WHEN
    recorded_at: datetime = WHEN

    @property
    def instrument_version(self) -> str:
        return get_instrument(self.instrument_id).versioned_id


def _first_answers(instrument_id: str) -> list[int | None]:
    return [item.options[-1].value for item in get_instrument(instrument_id).items]


@pytest.mark.parametrize("definition", list_instruments(), ids=lambda d: d.id)
def test_every_instrument_is_a_valid_questionnaire_with_a_legal_id(definition) -> None:
    resource = questionnaire_resource(definition)
    assert_valid_fhir(resource, resource_type="Questionnaire")
    assert "_" not in resource["id"]
    assert "_careloop" not in str(resource)


@pytest.mark.parametrize("definition", list_instruments(), ids=lambda d: d.id)
def test_responses_and_observations_are_valid_and_round_trip(definition) -> None:
    answers = _first_answers(definition.id)
    assessment = FakeAssessment(definition.id, answers, score_total=7)
    response = questionnaire_response_resource(assessment, definition)
    assert_valid_fhir(response, resource_type="QuestionnaireResponse")
    incoming = read_questionnaire_response(response)
    assert incoming.definition.id == definition.id
    assert incoming.client_id == assessment.client_id
    assert definition.answers_from_codes(incoming.answer_codes) == answers
    for part in observation_parts(assessment, definition):
        assert_valid_fhir(observation_resource(assessment, definition, part))


def test_phq9_observations_carry_loinc_total_and_item_codes() -> None:
    phq9 = get_instrument("phq9")
    assessment = FakeAssessment("phq9", [1, 1, 1, 1, 1, 1, 1, 2, 1, None], score_total=10)
    parts = observation_parts(assessment, phq9)
    assert parts == ["total", *[str(n) for n in range(1, 10)]]  # unanswered item 10: none
    total = observation_resource(assessment, phq9, "total")
    assert total["code"]["coding"] == [{"system": "http://loinc.org", "code": "44261-6"}]
    assert total["valueQuantity"]["value"] == 10
    # A plain UCUM "1" (dimensionless), not the annotation {score}; the unit text says what.
    assert total["valueQuantity"] == {
        "value": 10, "unit": "score", "system": "http://unitsofmeasure.org", "code": "1"
    }  # fmt: skip
    # Self-reported (every instrument in the library is a self-report questionnaire).
    for part in parts:
        observation = observation_resource(assessment, phq9, part)
        assert observation["performer"] == [{"reference": f"Patient/{assessment.patient_id}"}]
    item9 = observation_resource(assessment, phq9, "9")
    assert item9["id"] == f"{assessment.id}-item-9"
    assert item9["code"]["coding"][0]["code"] == "44260-8"
    assert item9["valueCodeableConcept"]["coding"][0]["code"] == "LA6569-3"
    assert item9["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{assessment.id}"}]


def test_unverified_loinc_codes_are_never_emitted() -> None:
    who5 = get_instrument("who5")  # no verified LOINC codes at all
    assessment = FakeAssessment("who5", _first_answers("who5"), score_total=25)
    for part in observation_parts(assessment, who5):
        coding = observation_resource(assessment, who5, part)["code"]["coding"][0]
        assert coding["system"] != "http://loinc.org"


def test_imported_total_yields_only_a_total_with_its_source_identifier() -> None:
    gad7 = get_instrument("gad7")
    assessment = FakeAssessment("gad7", [], score_total=11, items_available=False)
    assert observation_parts(assessment, gad7) == ["total"]
    source = {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:7da5f8c0-ecdf-5cb8-c4e4"}
    total = observation_resource(assessment, gad7, "total", source_identifier=source)
    assert_valid_fhir(total)
    assert total["identifier"] == [source]
    assert "derivedFrom" not in total


def test_shared_item_codes_map_to_every_instrument_using_them() -> None:
    index = codes_by_token(list_instruments())
    assert {("phq2", "1"), ("phq9", "1")} <= index["http://loinc.org|44250-9"]
    assert index["http://loinc.org|44261-6"] == {("phq9", "total")}


@dataclass
class FakePatient:
    display_name: str = "Ada Test"
    birth_year: int | None = 1990
    gender: str = "non_binary"
    preferred_language: str = "en"
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    created_at: datetime = WHEN


def test_patient_maps_gender_to_the_required_value_set_and_year_only_birth_date() -> None:
    resource = patient_resource(FakePatient())
    assert_valid_fhir(resource, resource_type="Patient")
    assert resource["gender"] == "other"
    assert resource["birthDate"] == "1990"


@dataclass
class FakeStaff:
    first_name: str = ""
    last_name: str = ""
    is_active: bool = True
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def test_practitioner_without_recorded_name_has_no_name_element() -> None:
    assert "name" not in practitioner_resource(FakeStaff())
    named = practitioner_resource(FakeStaff("Ben", "Clinic"))
    assert_valid_fhir(named)
    assert named["name"] == [{"family": "Clinic", "given": ["Ben"]}]


@dataclass
class FakeAlert:
    status: str
    assessment_id: uuid.UUID | None = field(default_factory=uuid.uuid4)
    rule_id: str = "instrument_risk_item"
    rule_version: str = "1.0.0"
    severity: str = "high"
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    patient_id: uuid.UUID = field(default_factory=uuid.uuid4)
    raised_at: datetime = WHEN
    notified_at: datetime | None = None


@pytest.mark.parametrize(
    ("status", "fhir_status"),
    [("raised", "active"), ("acknowledged", "active"), ("actioned", "inactive"),
     ("closed", "inactive")],
)  # fmt: skip
def test_flag_status_follows_the_alert(status, fhir_status) -> None:
    flag = flag_resource(FakeAlert(status))
    assert_valid_fhir(flag, resource_type="Flag")
    assert flag["status"] == fhir_status


def test_version_id_changes_exactly_when_the_content_changes() -> None:
    alert = FakeAlert("raised")
    same = flag_resource(alert)["meta"]["versionId"]
    assert flag_resource(alert)["meta"]["versionId"] == same
    alert.status = "closed"
    assert flag_resource(alert)["meta"]["versionId"] != same


def test_value_set_check_catches_what_fhir_resources_accepts() -> None:
    bogus = {"resourceType": "Observation", "status": "bogus", "code": {"text": "x"}}
    assert value_set_violations(bogus) == ["Observation.status: 'bogus'"]
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": bogus}]}
    assert value_set_violations(bundle) == ["Observation.status: 'bogus'"]
    Observation.model_validate(bogus)  # fhir.resources alone lets it through
    with pytest.raises(AssertionError, match="bogus"):
        assert_valid_fhir(bogus)


@pytest.mark.parametrize(
    ("change", "status", "fragment"),
    [
        ({"status": "entered-in-error"}, 422, "completed"),  # in-progress is taken (HZ-017)
        ({"questionnaire": "Questionnaire/nope"}, 422, "unknown questionnaire"),
        ({"questionnaire": "https://careloop.example/fhir/Questionnaire/phq9|0.9.0"}, 422,
         "version"),
        ({"subject": {"reference": "Group/1"}}, 422, "subject"),
        ({"identifier": {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:zz"}}, 422, "urn:uuid"),
    ],
)  # fmt: skip
def test_unscorable_responses_are_rejected_with_a_reason(change, status, fragment) -> None:
    definition = get_instrument("phq9")
    response = questionnaire_response_resource(
        FakeAssessment("phq9", [0] * 9, score_total=0), definition
    )
    with pytest.raises(ResponseRejected, match=fragment) as caught:
        read_questionnaire_response(response | change)
    assert caught.value.status == status


def test_ordinal_answers_are_accepted_and_unknown_codes_refused() -> None:
    response: dict[str, Any] = {
        "status": "completed",
        "questionnaire": "Questionnaire/gad7",
        "subject": {"reference": "Patient/1"},
        "item": [{"linkId": str(n), "answer": [{"valueInteger": 2}]} for n in range(1, 8)],
    }
    incoming = read_questionnaire_response(response)
    assert get_instrument("gad7").answers_from_codes(incoming.answer_codes)[:7] == [2] * 7
    response["item"][0]["answer"] = [{"valueCoding": {"system": "http://loinc.org", "code": "X"}}]
    with pytest.raises(ResponseRejected, match="unknown answer"):
        read_questionnaire_response(response)


def test_page_links_keep_the_query_and_step_by_count() -> None:
    links = page_links("http://h/fhir/r4/Observation", [("code", "44261-6"), ("_offset", "5")],
                       offset=5, count=5, total=12)  # fmt: skip
    by_relation = {link["relation"]: link["url"] for link in links}
    assert by_relation["next"].endswith("code=44261-6&_count=5&_offset=10")
    assert by_relation["previous"].endswith("_offset=0")
    assert by_relation["last"].endswith("_offset=10")
