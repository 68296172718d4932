"""schemathesis's own object-level authorisation check (ST402) against a live server on loopback.

Two patients with full records (PHQ-9 with its safety alert, check-in, measurement plan, safety
plan, shared journal entry, messages), one in each of two teams, and the two teams' clinicians.
`st run --checks object_level_authorization`, configured with a Web Fuzzing Commons auth file
and the two clinicians as `peers`, sends every GET operation as the owner, takes ids from the
owner's own lists, and replays each successful read of them as the peer: a peer that gets an
equivalent body is a violation (ST402). Each clinician takes a turn as the owner.

Only GET operations are sent: the check replays reads only, ownership comes from per-user lists,
and the unsafe operations close alerts, open break-glass grants and request erasure, which would
consume the fixture world mid-run.

What schemathesis 4.32.5 can attribute: it counts an id as the owner's only if a collection it
recognises (a list of objects with an `id`) returned it, or the owner's write created it. Alerts
qualify (GET /api/alerts → GET /api/alerts/{alert_id}); the patient-keyed reads
(/api/patients/{patient_id}/…) do not, because the caseload rows carry `patient_id` but no `id`,
and patients' own reads take no ids (/api/me/…). Those stay covered by the in-process
equivalent, test_object_level_authorization.py, over every GET operation and all four people.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.care.models import Patient
from careloop.fhir.tests.test_live_clients import sign_in
from conftest import fill_patient_record, make_user

ST = Path(sys.executable).with_name("st")
pytestmark = pytest.mark.slow  # three live runs of `st`, about 35 s each


@pytest.fixture
def wfc_auth(live_server, service, south, ada, ada_patient, ben, dana, tmp_path) -> Path:
    """Two patients with full records, one per team, and their clinicians signed in on the live
    server; the WFC auth file names each clinician by their session cookie."""
    pat = make_user(service, "pat", Role.PATIENT)
    pat_patient = Patient.objects.create(
        service=service, user=pat, care_team=south, display_name="Pat Test"
    )
    fill_patient_record(ada_patient, ada, ben)
    fill_patient_record(pat_patient, pat, dana)
    entries = []
    for user in (ben, dana):
        session = sign_in(live_server.url, user.username, staff=True)
        cookie = f"sessionid={session.cookies['sessionid']}"
        entries.append(
            {"name": user.username, "fixedHeaders": [{"name": "Cookie", "value": cookie}]}
        )
    path = tmp_path / "auth.json"
    path.write_text(json.dumps({"auth": entries}))
    return path


def run_check(base: str, auth: Path, owner: str, peer: str) -> subprocess.CompletedProcess[str]:
    """`st run` with only the object-level authorisation check, every operation sent as `owner`
    and each successful read replayed as `peer`."""
    config = auth.with_name(f"schemathesis-{owner}.toml")
    config.write_text(
        f'[auth.wfc]\npath = "{auth}"\nuser = "{owner}"\npeers = ["{owner}", "{peer}"]\n'
    )
    return subprocess.run(  # noqa: S603  # the venv's own `st`, fixed arguments
        [
            str(ST), "--config-file", str(config), "run", f"{base}/api/openapi.json",
            "--checks", "object_level_authorization", "--include-method", "GET",
            # The `sessionid` cookie the schema declares would otherwise be generated (as junk)
            # and replace the signed-in session.
            "--generation-with-security-parameters", "false",
            "--max-examples", "5", "--no-color",
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(("owner", "peer"), [("ben", "dana"), ("dana", "ben")])
def test_no_clinician_reads_another_teams_objects(live_server, wfc_auth, owner, peer) -> None:
    run = run_check(live_server.url, wfc_auth, owner, peer)
    assert "ST402" not in run.stdout, run.stdout[-4000:]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "will not run" not in run.stdout + run.stderr  # e.g. the peers were not loaded


def test_the_check_reports_a_leaking_read(live_server, wfc_auth, monkeypatch) -> None:
    """Control: with the alert read's access check removed, the same run must fail with ST402,
    so a clean run above means the check compared real owner and peer reads."""
    from careloop.safety.api import alerts
    from careloop.safety.models import Alert

    def any_alert(user: User, alert_id: uuid.UUID) -> Alert:
        return Alert.objects.get(id=alert_id)

    monkeypatch.setattr(alerts, "alert_visible_to", any_alert)  # the server runs in-process
    run = run_check(live_server.url, wfc_auth, "ben", "dana")
    assert run.returncode == 1, run.stdout[-4000:]
    assert "`dana` received the `Alert` that `ben` owns" in run.stdout, run.stdout[-4000:]
    assert "GET /api/alerts/{alert_id}" in run.stdout
