"""Emergency (break-glass) access reads; it never changes clinical state (issue #18 item 8, HZ-023).

One table of every endpoint that changes a patient's clinical state for a staff actor (HTML form,
JSON API, FHIR): Dana, outside Ada's team but holding an emergency grant for her, is refused with
403 or 404 and nothing changes; Ben, in Ada's team, succeeds through the same endpoint. A second
table calls the services directly (the root: every write service asks care.selectors.require_write).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from careloop.accounts.types import Role
from careloop.assessments.models import Assessment
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.audit.models import AuditEvent
from careloop.care.models import Patient
from careloop.care.selectors import patient_visible_to
from careloop.core.errors import InvalidInput, NotFound, PermissionDenied
from careloop.fhir.tests.conftest import phq9_response
from careloop.messaging.models import Message
from careloop.messaging.services import mark_read, send_message
from careloop.monitoring.models import CheckIn, PlanItem
from careloop.monitoring.services import PlanItemChange, change_plan_item, record_checkin
from careloop.privacy import breakglass
from careloop.privacy.policy import (
    WRITE_RULES,
    PolicyRole,
    PurposeOfUse,
    Relationship,
    write_purpose,
)
from careloop.safety import services as safety
from careloop.safety.models import Alert
from careloop.safety.planning.models import SafetyPlanVersion
from careloop.safety.planning.services import save_safety_plan
from careloop.safety.types import AlertStatus
from conftest import make_user

REASON = "Patient presented at A&E out of hours; own team unreachable."
PLAN = {"warning_signs": [{"text": "I stop sleeping"}]}


@dataclass
class World:
    patient: Patient
    raised: Alert  # to acknowledge
    acknowledged: Alert  # to record an action on
    actioned: Alert  # to close


def _alert(patient: Patient, by: Any, severity: str = "high") -> Alert:
    alert, _ = safety.raise_alert_by_clinician(
        patient, actor=by, severity=severity, reason="Worried after a call", client_id=uuid.uuid4()
    )
    return alert


@pytest.fixture
def world(ada, ada_patient, ben, sam, dana) -> World:
    raised = _alert(ada_patient, ben)
    acknowledged = safety.acknowledge_alert(_alert(ada_patient, ben), actor=ben)
    actioned = safety.record_alert_action(
        safety.acknowledge_alert(_alert(ada_patient, ben), actor=ben),
        actor=ben,
        outcome="contacted_patient",
        note="Phoned; safe tonight.",
    )
    send_message(ada, ada_patient, body="Can we talk on Monday?", client_id=uuid.uuid4())
    breakglass.start(actor=dana, patient=ada_patient, reason=REASON)
    return World(ada_patient, raised, acknowledged, actioned)


def _alert_state(alert: Alert) -> Callable[[], tuple[object, ...]]:
    def state() -> tuple[object, ...]:
        row = Alert.objects.get(id=alert.id)
        return (row.status, row.acknowledged_by_id, row.actioned_by_id, row.closed_by_id)

    return state


def _count(model: Any, **where: object) -> Callable[[], int]:
    return lambda: model.objects.filter(**where).count()


def _gad7(patient: Patient) -> Callable[[], object]:
    return lambda: list(
        PlanItem.objects.filter(plan__patient=patient, measure="gad7").values_list(
            "every_days", flat=True
        )
    )


def _api(method: str, path: str, body: dict[str, Any] | None = None) -> Callable[..., Any]:
    def send(client: Any) -> Any:
        call = getattr(client, method)
        return call(path, json.dumps(body or {}), content_type="application/json")

    return send


def _form(path: str, data: dict[str, str]) -> Callable[..., Any]:
    return lambda client: client.post(path, data)


def _fhir(path: str, resource: dict[str, Any]) -> Callable[..., Any]:
    return lambda client: client.post(
        f"/fhir/r4/{path}", json.dumps(resource), content_type="application/fhir+json"
    )


MARK_READ = "api mark the patient's messages read"
Case = tuple[Callable[..., Any], Callable[[], object]]


def _cases(w: World) -> dict[str, Case]:
    p = w.patient.id
    new_message = {"body": "Checking in after the weekend.", "client_id": str(uuid.uuid4())}
    return {
        "api alert acknowledge": (
            _api("post", f"/api/alerts/{w.raised.id}/acknowledge"),
            _alert_state(w.raised),
        ),
        "html alert acknowledge": (
            _form(f"/alerts/{w.raised.id}/acknowledge", {}),
            _alert_state(w.raised),
        ),
        "api alert action": (
            _api(
                "post",
                f"/api/alerts/{w.acknowledged.id}/action",
                {"outcome": "contacted_patient", "note": "Spoke to her."},
            ),
            _alert_state(w.acknowledged),
        ),
        "html alert action": (
            _form(
                f"/alerts/{w.acknowledged.id}/action",
                {"outcome": "contacted_patient", "note": "Spoke to her."},
            ),
            _alert_state(w.acknowledged),
        ),
        "api alert close": (
            _api("post", f"/api/alerts/{w.actioned.id}/close"),
            _alert_state(w.actioned),
        ),
        "html alert close": (_form(f"/alerts/{w.actioned.id}/close", {}), _alert_state(w.actioned)),
        "fhir QuestionnaireResponse create": (
            _fhir("QuestionnaireResponse", phq9_response(p, [1, 1, 1, 1, 1, 1, 1, 1, 0])),
            _count(Assessment, patient=w.patient),
        ),
        "api plan change": (
            _api(
                "put",
                f"/api/patients/{p}/plan/items/gad7",
                {"every_days": 14, "overdue_after_days": 3},
            ),
            _gad7(w.patient),
        ),
        "html plan change": (
            _form(f"/patients/{p}/plan/gad7/", {"every_days": "14", "overdue_after_days": "3"}),
            _gad7(w.patient),
        ),
        "api safety plan": (
            _api("put", f"/api/patients/{p}/safety-plan", {"base_version": 0, "sections": PLAN}),
            _count(SafetyPlanVersion, plan__patient=w.patient),
        ),
        "html safety plan": (
            _form(
                f"/safety/patients/{p}/plan/edit/",
                {"base_version": "0", "warning_signs-text": "I stop sleeping"},
            ),
            _count(SafetyPlanVersion, plan__patient=w.patient),
        ),
        "api message to patient": (
            _api("post", f"/api/patients/{p}/messages", new_message),
            _count(Message, patient=w.patient),
        ),
        "html message to patient": (
            _form(f"/messages/patients/{p}/", new_message),
            _count(Message, patient=w.patient),
        ),
        MARK_READ: (
            _api("post", f"/api/patients/{p}/messages/read"),
            _count(Message, patient=w.patient, read_at=None),
        ),
    }


CASE_NAMES = list(
    _cases(World(Patient(id=uuid.uuid4()), *(Alert(id=uuid.uuid4()) for _ in range(3)))).keys()
)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_emergency_access_cannot_change_clinical_state(name, world, as_user, dana) -> None:
    send, state = _cases(world)[name]
    before = state()
    response = send(as_user(dana))
    # Marking read is a side effect of reading: under emergency access it answers 200 "0 marked"
    # (the team still sees the messages as unread); every other write is refused.
    refused = (200, 403, 404) if name == MARK_READ else (403, 404)
    assert response.status_code in refused, (name, response.status_code)
    assert state() == before, f"{name}: emergency access changed clinical state"


@pytest.mark.parametrize("name", CASE_NAMES)
def test_the_care_team_can_make_the_same_change(name, world, as_user, ben) -> None:
    send, state = _cases(world)[name]
    before = state()
    response = send(as_user(ben))
    assert response.status_code in (200, 201, 302), (name, response.status_code)
    assert state() != before, f"{name}: the care team's change was not made"


def _service_writes(w: World, actor: Any) -> dict[str, Callable[[], object]]:
    patient = w.patient
    return {
        "acknowledge_alert": lambda: safety.acknowledge_alert(w.raised, actor=actor),
        "record_alert_action": lambda: safety.record_alert_action(
            w.acknowledged, actor=actor, outcome="contacted_patient", note="Called."
        ),
        "close_alert": lambda: safety.close_alert(w.actioned, actor=actor),
        "submit_assessment": lambda: submit_assessment(
            patient,
            actor=actor,
            instrument_id="gad7",
            answers=[1, 1, 1, 1, 1, 1, 1],
            client_id=uuid.uuid4(),
            source=SubmissionSource.API,
        ),
        "change_plan_item": lambda: change_plan_item(
            patient,
            actor=actor,
            measure="gad7",
            change=PlanItemChange(every_days=14, overdue_after_days=3),
        ),
        "record_checkin": lambda: record_checkin(
            patient, actor=actor, mood=3, client_id=uuid.uuid4(), source=SubmissionSource.API
        ),
        "save_safety_plan": lambda: save_safety_plan(
            patient, actor=actor, base_version=0, sections=PLAN
        ),
        "send_message": lambda: send_message(
            actor, patient, body="Hello from outside", client_id=uuid.uuid4()
        ),
    }


SERVICE_NAMES = list(
    _service_writes(World(Patient(id=uuid.uuid4()), *(Alert() for _ in range(3))), None).keys()
)


def _everything(patient: Patient) -> tuple[object, ...]:
    return (
        sorted(Alert.objects.filter(patient=patient).values_list("id", "status")),
        Assessment.objects.filter(patient=patient).count(),
        CheckIn.objects.filter(patient=patient).count(),
        PlanItem.objects.filter(plan__patient=patient).count(),
        SafetyPlanVersion.objects.filter(plan__patient=patient).count(),
        Message.objects.filter(patient=patient).count(),
    )


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_every_write_service_refuses_emergency_access(name, world, dana) -> None:
    patient = patient_visible_to(dana, world.patient.id)  # she can read it...
    before = _everything(patient)
    with pytest.raises(PermissionDenied, match="read-only"):  # ...but not change it
        _service_writes(world, dana)[name]()
    assert _everything(patient) == before


def test_reading_under_emergency_access_leaves_messages_unread(world, dana) -> None:
    assert mark_read(dana, world.patient) == 0
    assert Message.objects.filter(patient=world.patient, read_at=None).count() == 1


def test_a_clinician_may_still_raise_an_alert_under_emergency_access(world, dana) -> None:
    """The one write kept: raising an alert only adds escalation to the team, never stops it."""
    alert = _alert(world.patient, dana)
    assert alert.status == AlertStatus.RAISED


def test_an_outsider_without_a_grant_gets_not_found(world, service, south) -> None:
    other = make_user(service, "olga", Role.CLINICIAN, south)
    with pytest.raises(NotFound):
        safety.acknowledge_alert(world.raised, actor=other)


def test_the_policy_never_lets_break_glass_write() -> None:
    for role in PolicyRole:
        assert write_purpose(role, Relationship.BREAK_GLASS) is None
        assert write_purpose(role, Relationship.SAME_SERVICE) is None
        assert write_purpose(role, Relationship.OTHER_SERVICE) is None
    assert all(rule.purpose != PurposeOfUse.ETREAT for rule in WRITE_RULES)
    assert all(Relationship.BREAK_GLASS not in rule.relationships for rule in WRITE_RULES)
    assert write_purpose(PolicyRole.CLINICIAN, Relationship.CARE_TEAM) == PurposeOfUse.TREAT
    assert write_purpose(PolicyRole.PATIENT, Relationship.SELF) == PurposeOfUse.PATRQT


def test_reads_under_emergency_access_are_logged_as_etreat_not_treat(
    world, as_user, dana, ben
) -> None:
    """The access log tells emergency access from treatment: same pages, different purpose."""
    p = world.patient.id
    paths = (
        f"/api/patients/{p}/assessments",
        f"/api/patients/{p}/messages",
        f"/api/alerts/{world.raised.id}",
        f"/api/patients/{p}/safety-plan",
    )
    for reader in (dana, ben):
        client = as_user(reader)
        for path in paths:
            assert client.get(path).status_code == 200, (reader.username, path)
    dana_purposes = set(
        AuditEvent.objects.filter(actor_id=dana.id)
        .exclude(patient_ref="")
        .exclude(action__startswith="privacy.")
        .values_list("purpose", flat=True)
    )
    ben_reads = AuditEvent.objects.filter(actor_id=ben.id, action__contains="view")
    assert dana_purposes == {PurposeOfUse.ETREAT}
    assert ben_reads.exists()
    assert PurposeOfUse.ETREAT not in set(ben_reads.values_list("purpose", flat=True))


@pytest.mark.parametrize(
    "reason",
    [
        "",
        " " * 40,
        "\u00a0" * 20,  # no-break spaces
        "\u200b" * 20,  # zero-width spaces
        "\u200b\u200c\u200d\u2060\ufeff" * 5,  # zero-width (non-)joiners, word joiner, BOM
        "\u3000\u2028\u2029\t\n" * 6,  # ideographic space, line/paragraph separators
        "urgent\u200b\u200b\u200b\u200b\u200b\u200b",  # 6 visible characters padded to 12
        "x",
    ],
)
def test_a_reason_nobody_can_read_is_refused(reason, dana, ada_patient) -> None:
    with pytest.raises(InvalidInput, match="at least 10 visible characters"):
        breakglass.start(actor=dana, patient=ada_patient, reason=reason)
    assert not breakglass.active_grants_of(dana).exists()


def test_a_blank_reason_is_refused_through_the_api_with_a_clear_message(
    as_user, dana, ada_patient
) -> None:
    response = as_user(dana).post(
        "/api/break-glass",
        json.dumps({"patient_id": str(ada_patient.id), "reason": "\u200b" * 30}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "visible characters" in response.json()["detail"]


def test_the_alert_page_under_emergency_access_offers_no_buttons_and_says_why(
    world, as_user, dana, ben
) -> None:
    page = as_user(dana).get(f"/alerts/{world.raised.id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "emergency access, which is read-only" in html
    assert f"/alerts/{world.raised.id}/acknowledge" not in html
    team_page = as_user(ben).get(f"/alerts/{world.raised.id}/").content.decode()
    assert f"/alerts/{world.raised.id}/acknowledge" in team_page


def test_the_patients_own_writes_refuse_emergency_access_too(world, as_user, ada, dana) -> None:
    """Contact details (FHIR Patient update) and journal sharing belong to the patient alone."""
    from careloop.journal.models import JournalEntry
    from careloop.journal.services import write_entry

    entry, _ = write_entry(
        ada, world.patient, body="A private note.", shared=False, client_id=uuid.uuid4()
    )
    client = as_user(dana)
    patient = {
        "resourceType": "Patient",
        "id": str(world.patient.id),
        "telecom": [{"system": "email", "value": "attacker@example.org"}],
    }
    update = client.put(
        f"/fhir/r4/Patient/{world.patient.id}",
        json.dumps(patient),
        content_type="application/fhir+json",
        headers={"If-Match": 'W/"1"'},
    )
    assert update.status_code in (403, 404), update.status_code
    ada.refresh_from_db()
    assert ada.email != "attacker@example.org"
    sharing = client.put(
        f"/api/journal/entries/{entry.id}/sharing",
        json.dumps({"shared_with_team": True}),
        content_type="application/json",
    )
    assert sharing.status_code in (403, 404), sharing.status_code
    assert not JournalEntry.objects.get(id=entry.id).shared_with_team
