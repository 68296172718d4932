"""Object-level authorisation over the whole JSON API, generated from its OpenAPI document.

The equivalent of schemathesis's `object_level_authorization` check (ST402): two patients and
two clinicians of different teams; every GET operation of /api/openapi.json that names a patient
or an alert is called for each object by each of the four. The owner's read must succeed and
every other peer must get 404 with exactly the body a nonexistent id gets (no existence oracle).

schemathesis 4.32 ships the check, but it drives it from `st run` against a live server with a
Web Fuzzing Commons auth file and peer groups; this in-process version covers the same ground
without a network listener and runs in the normal test suite.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from careloop.accounts.types import Role
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.models import Patient

OBJECT_PARAMETERS = {"patient_id", "alert_id"}
# Path parameters of GET operations that do not name another person's object.
OTHER_PARAMETERS = {"team_id": "team configuration (escalation policy, rota), no patient data"}


@pytest.fixture
def peers(service, north, south, ada, ada_patient, ben, dana):
    from conftest import make_user, signed_in

    pat = make_user(service, "pat", Role.PATIENT)
    pat_patient = Patient.objects.create(
        service=service, user=pat, care_team=south, display_name="Pat Test"
    )
    objects = {}
    for user, patient, clinician in ((ada, ada_patient, ben), (pat, pat_patient, dana)):
        submit_assessment(
            patient, actor=user, instrument_id="phq9", answers=[1] * 9,
            client_id=uuid.uuid4(), source=SubmissionSource.WEB,
        )  # fmt: skip
        alert = patient.alerts.get()
        objects[patient.display_name] = {
            "patient_id": (str(patient.id), {user.username, clinician.username}),
            "alert_id": (str(alert.id), {clinician.username}),
        }
    clients = {user.username: signed_in(user) for user in (ada, pat, ben, dana)}
    return objects, clients


def _get_operations(schema: dict[str, Any]) -> list[tuple[str, set[str]]]:
    operations = []
    for path, item in schema["paths"].items():
        if "get" in item:
            operations.append((path, set(re.findall(r"{(\w+)}", path))))
    return operations


def test_every_object_read_answers_its_owners_only(peers, as_user, ben) -> None:
    objects, clients = peers
    schema = as_user(ben).get("/api/openapi.json").json()
    tested, violations = 0, []
    for path, parameters in _get_operations(schema):
        unexplained = parameters - OBJECT_PARAMETERS - set(OTHER_PARAMETERS) - {"number"}
        assert not unexplained, f"{path}: classify {unexplained}"
        names = parameters & OBJECT_PARAMETERS
        if len(names) != 1:
            continue
        (name,) = names
        for owned in objects.values():
            value, owners = owned[name]
            url = path.replace("{" + name + "}", value).replace("{number}", "1")
            nowhere = path.replace("{" + name + "}", str(uuid.uuid4())).replace("{number}", "1")
            owner_ok = [u for u in owners if 200 <= clients[u].get(url).status_code < 300]
            if not owner_ok:
                continue  # no owner reads this object here (e.g. no safety plan version 1)
            tested += 1
            for username, client in clients.items():
                if username in owners:
                    continue
                response = client.get(url)
                absent = client.get(nowhere)
                if (response.status_code, response.content) != (404, absent.content):
                    violations.append(f"{username} GET {path} → {response.status_code}")
    assert tested >= 8, "the fixture world should give most operations an owned object"
    assert not violations, "\n".join(violations)
