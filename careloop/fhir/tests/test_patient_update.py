"""PUT Patient/[id]: a patient updates their own contact details and preferred language, with
If-Match, through care.services.update_contact_details; nothing else about them changes."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.test import Client

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.audit.models import AuditEvent
from careloop.audit.selectors import patient_ref
from careloop.audit.types import AuditAction
from careloop.care.models import Patient
from careloop.care.services import update_contact_details
from careloop.core.errors import InvalidInput, PermissionDenied
from careloop.fhir.mapping.patient import UpdateRejected, read_patient_update
from careloop.fhir.tests.conftest import FHIR_JSON
from careloop.fhir.tests.fhir_assert import assert_valid_fhir
from conftest import make_user

PHONE = "+447700900123"  # Ofcom's drama range: never a real subscriber
EMAIL = "ada@example.org"


def put(client: Client, patient_id: object, body: Any, if_match: str | None = None) -> Any:
    headers = {"If-Match": if_match} if if_match is not None else {}
    response = client.put(
        f"/fhir/r4/Patient/{patient_id}", json.dumps(body), content_type=FHIR_JSON,
        headers=headers,
    )  # fmt: skip
    assert response["Content-Type"].startswith(FHIR_JSON)
    assert_valid_fhir(response.json())
    return response


def outcome_of(response: Any) -> tuple[str, str]:
    issue = response.json()["issue"][0]
    return issue["code"], issue["diagnostics"]


@pytest.fixture
def ada_client(as_user, ada) -> Client:
    return as_user(ada)


@pytest.fixture
def current(ada_client, ada_patient) -> tuple[dict[str, Any], str]:
    """Ada's Patient as she reads it, and its ETag."""
    response = ada_client.get(f"/fhir/r4/Patient/{ada_patient.id}")
    assert response.status_code == 200
    return response.json(), response["ETag"]


def with_contact(resource: dict[str, Any], phone: str, email: str, language: str) -> Any:
    body = copy.deepcopy(resource)
    body["telecom"] = [{"system": "phone", "value": phone}, {"system": "email", "value": email}]
    body["communication"] = [
        {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": language}]},
         "preferred": True}
    ]  # fmt: skip
    return body


def test_patient_updates_own_contact_details(ada_client, ada, ada_patient, current) -> None:
    resource, tag = current
    assert "telecom" not in resource  # none recorded yet
    response = put(ada_client, ada_patient.id, with_contact(resource, PHONE, EMAIL, "es"), tag)
    assert response.status_code == 200, response.json()
    updated = response.json()
    assert updated["telecom"] == [
        {"system": "email", "value": EMAIL},
        {"system": "phone", "value": PHONE},
    ]
    assert updated["communication"][0]["language"]["coding"][0]["code"] == "es"
    assert response["ETag"] == f'W/"{updated["meta"]["versionId"]}"' != tag
    ada.refresh_from_db()
    ada_patient.refresh_from_db()
    assert (ada.phone_number, ada.email, ada_patient.preferred_language) == (PHONE, EMAIL, "es")
    # What she reads next is what the update returned.
    assert ada_client.get(f"/fhir/r4/Patient/{ada_patient.id}").json() == updated
    event = AuditEvent.objects.get(action=AuditAction.CONTACT_DETAILS_UPDATED)
    assert event.actor == ada and event.patient_ref == patient_ref(ada_patient.id)
    assert event.detail == {"changed": ["phone", "email", "language"]}  # names, never values


def test_absent_owned_elements_are_cleared(ada_client, ada, ada_patient, current) -> None:
    """FHIR update semantics for what the patient owns: absent telecom removes the numbers,
    absent communication records no preference (the service's default language applies)."""
    resource, tag = current
    first = put(ada_client, ada_patient.id, with_contact(resource, PHONE, EMAIL, "en"), tag)
    body = {k: v for k, v in first.json().items() if k not in ("telecom", "communication")}
    second = put(ada_client, ada_patient.id, body, first["ETag"])
    assert second.status_code == 200, second.json()
    assert "telecom" not in second.json() and "communication" not in second.json()
    ada.refresh_from_db()
    ada_patient.refresh_from_db()
    assert (ada.phone_number, ada.email, ada_patient.preferred_language) == ("", "", "")


def test_unchanged_elements_may_be_left_out(ada_client, ada, ada_patient, current) -> None:
    resource, tag = current
    minimal = {"resourceType": "Patient", "id": resource["id"],
               "telecom": [{"system": "phone", "value": PHONE}]}  # fmt: skip
    response = put(ada_client, ada_patient.id, minimal, tag)
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == resource["name"]
    ada.refresh_from_db()
    assert ada.phone_number == PHONE


def test_if_match_is_required_and_checked(ada_client, ada, ada_patient, current) -> None:
    resource, tag = current
    body = with_contact(resource, PHONE, EMAIL, "en")
    missing = put(ada_client, ada_patient.id, body)
    assert missing.status_code == 428
    assert outcome_of(missing)[0] == "business-rule" and "If-Match" in outcome_of(missing)[1]
    assert put(ada_client, ada_patient.id, body, "*").status_code == 428
    stale = put(ada_client, ada_patient.id, body, 'W/"0000000000000000"')
    assert stale.status_code == 412
    assert outcome_of(stale) == (
        "conflict",
        f"version conflict: the current version is {tag}; read it again",
    )
    ada.refresh_from_db()
    assert ada.phone_number == ""
    # A strong tag naming the same version is accepted too.
    assert put(ada_client, ada_patient.id, body, tag.removeprefix("W/")).status_code == 200
    # The version read before that update is stale now: a lost update is refused.
    again = put(
        ada_client, ada_patient.id, with_contact(resource, "+447700900999", EMAIL, "en"), tag
    )
    assert again.status_code == 412
    ada.refresh_from_db()
    assert ada.phone_number == PHONE


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": [{"text": "Someone Else"}]}, "Patient.name"),
        ({"gender": "male"}, "Patient.gender"),
        ({"birthDate": "1970"}, "Patient.birthDate"),
        ({"active": False}, "Patient.active"),
        ({"text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">x</div>'}},
         "Patient.text"),
        ({"extension": [{"url": "https://x.example/e", "valueString": "x"}]}, "Patient.extension"),
        ({"generalPractitioner": [{"reference": "Practitioner/x"}]}, "Patient.generalPractitioner"),
        ({"meta": {"security": [{"code": "R"}]}}, "Patient.meta.security"),
        ({"telecom": [{"system": "fax", "value": "+441234567890"}]}, "Patient.telecom[0].system"),
        ({"telecom": [{"system": "phone", "value": PHONE, "use": "work"}]},
         "Patient.telecom[0].use"),
        ({"telecom": [{"system": "phone", "value": PHONE}, {"system": "phone", "value": PHONE}]},
         "Patient.telecom[1]"),
        ({"telecom": [{"system": "phone", "value": "07700 900123"}]}, "Patient.telecom (phone)"),
        ({"telecom": [{"system": "email", "value": "not-an-address"}]}, "Patient.telecom (email)"),
        ({"communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47",
                                                        "code": "not a tag"}]}}]},
         "Patient.communication (language)"),
        ({"communication": [{"language": {"coding": [{"system": "urn:iso:std:iso:639",
                                                        "code": "en"}]}}]},
         "Patient.communication[0].language.coding[0].system"),
    ],
)  # fmt: skip
def test_only_what_the_patient_owns_may_change(
    ada_client, ada, ada_patient, current, change, field
) -> None:
    """No mass assignment (A3): every other element must equal the current one; 422 names it,
    in the diagnostics and as the issue's FHIR path (expression)."""
    resource, tag = current
    response = put(ada_client, ada_patient.id, resource | change, tag)
    assert response.status_code == 422, response.json()
    code, diagnostics = outcome_of(response)
    assert code == "processing" and diagnostics.startswith(field), diagnostics
    assert response.json()["issue"][0]["expression"] == [field.split(" (")[0]]
    ada.refresh_from_db()
    ada_patient.refresh_from_db()
    assert (ada.phone_number, ada.email) == ("", "")
    assert (ada_patient.display_name, ada_patient.gender) == ("Ada Test", "prefer_not_to_say")
    assert not AuditEvent.objects.filter(action=AuditAction.CONTACT_DETAILS_UPDATED).exists()


def test_malformed_bodies_are_400(ada_client, ada_patient, current) -> None:
    resource, tag = current
    other_id = resource | {"id": "0190c0de-0000-7000-8000-000000000000"}
    assert put(ada_client, ada_patient.id, other_id, tag).status_code == 400
    assert put(ada_client, ada_patient.id, {"resourceType": "Flag"}, tag).status_code == 400
    wrong_type = resource | {"telecom": "+447700900123"}
    assert put(ada_client, ada_patient.id, wrong_type, tag).status_code == 400
    not_json = ada_client.put(
        f"/fhir/r4/Patient/{ada_patient.id}", "{", content_type=FHIR_JSON,
        headers={"If-Match": tag},
    )  # fmt: skip
    assert not_json.status_code == 400


def test_staff_cannot_change_a_patients_contact_details(
    fhir, as_user, ben, dana, ada_patient
) -> None:
    body = fhir(ben).get(f"Patient/{ada_patient.id}").json()
    assert "telecom" not in body  # contact details are shown to the patient only
    tag = f'W/"{body["meta"]["versionId"]}"'
    refused = put(as_user(ben), ada_patient.id, body | {"telecom": []}, tag)
    assert refused.status_code == 403
    assert outcome_of(refused)[0] == "forbidden"
    # Another team's clinician, or another patient: not visible, so 404 (no existence oracle).
    assert put(as_user(dana), ada_patient.id, body, tag).status_code == 404
    other = make_user(ada_patient.service, "pat-other", Role.PATIENT)
    Patient.objects.create(service=ada_patient.service, user=other,
                           care_team=ada_patient.care_team, display_name="Other Test")  # fmt: skip
    assert put(as_user(other), ada_patient.id, body, tag).status_code == 404
    assert put(as_user(other), "not-a-uuid", body, tag).status_code == 404


def test_session_update_needs_the_csrf_token(ada, ada_patient, current) -> None:
    resource, tag = current
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    body = with_contact(resource, PHONE, EMAIL, "en")
    assert put(client, ada_patient.id, body, tag).status_code == 403
    secret = "c" * 32
    client.cookies["csrftoken"] = secret
    accepted = client.put(
        f"/fhir/r4/Patient/{ada_patient.id}", json.dumps(body), content_type=FHIR_JSON,
        headers={"If-Match": tag, "X-CSRFToken": secret},
    )  # fmt: skip
    assert accepted.status_code == 200


def test_patch_and_delete_stay_unsupported(ada_client, ada_patient, current) -> None:
    resource, _ = current
    for method in ("patch", "delete"):
        response = getattr(ada_client, method)(
            f"/fhir/r4/Patient/{ada_patient.id}", json.dumps(resource), content_type=FHIR_JSON
        )
        assert response.status_code == 405
        assert response.json()["issue"][0]["code"] == "not-supported"


def test_capability_statement_offers_update_for_patient_only(anonymous_fhir) -> None:
    statement = anonymous_fhir.get("metadata").json()
    entries = {r["type"]: r for r in statement["rest"][0]["resource"]}
    for resource_type, entry in entries.items():
        codes = {i["code"] for i in entry["interaction"]}
        assert ("update" in codes) == (resource_type == "Patient"), resource_type
        assert not codes & {"patch", "delete"}
        assert entry["updateCreate"] is False
    assert entries["Patient"]["versioning"] == "versioned-update"
    assert entries["Observation"]["versioning"] == "versioned"


def test_service_is_for_the_patient_themself(ada, ben, ada_patient) -> None:
    with pytest.raises(PermissionDenied):
        update_contact_details(ben, ada_patient, phone=PHONE, email="", language="")
    with pytest.raises(InvalidInput, match=r"^phone"):
        update_contact_details(ada, ada_patient, phone="12345", email="", language="")
    assert update_contact_details(ada, ada_patient, phone=f" {PHONE} ", email="", language="") == [
        "phone"
    ]
    # Nothing changed: nothing written, nothing audited a second time.
    assert update_contact_details(ada, ada_patient, phone=PHONE, email="", language="") == []
    assert AuditEvent.objects.filter(action=AuditAction.CONTACT_DETAILS_UPDATED).count() == 1
    assert User.objects.get(id=ada.id).phone_number == PHONE


def test_update_rules_are_pure() -> None:
    current = {"resourceType": "Patient", "id": "p1", "meta": {"versionId": "a"},
               "name": [{"text": "A"}], "gender": "unknown"}  # fmt: skip
    body = current | {"meta": {"versionId": "old", "lastUpdated": "2026-01-01T00:00:00Z"},
                      "communication": [{"language": {"coding": [
                          {"system": "urn:ietf:bcp:47", "code": "pt-BR"}]}}]}  # fmt: skip
    update = read_patient_update(body, current)
    assert (update.phone, update.email, update.language) == ("", "", "pt-BR")
    with pytest.raises(UpdateRejected, match="exactly one coding"):
        read_patient_update(current | {"communication": [{"language": {"coding": []}}]}, current)
    with pytest.raises(UpdateRejected, match="one preferred language"):
        read_patient_update(current | {"communication": [{}, {}]}, current)
