"""send_message: the patient writes to their team and a team member to the patient; a patient's
message is screened (alert in the same transaction), recipients are told there is a message
(never what it says), everything is audited without text, and bodies are encrypted at rest."""

from __future__ import annotations

import json
import uuid
from unittest import mock

import pytest
from django.db import connection

from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.core.errors import Conflict, InvalidInput, NotFound
from careloop.messaging import services
from careloop.messaging.models import Message
from careloop.messaging.services import mark_read, send_message
from careloop.messaging.types import Direction
from careloop.notifications.models import Notification
from careloop.safety.models import Alert

CRISIS = "Thanks for Tuesday. I want to kill myself tonight. See you next week."


def _send(actor, patient, body: str, client_id: uuid.UUID | None = None) -> Message:
    message, _ = send_message(actor, patient, body=body, client_id=client_id or uuid.uuid4())
    return message


def test_a_patient_crisis_message_raises_a_text_alert_with_the_words(ada, ada_patient, ben, sam):
    message = _send(ada, ada_patient, CRISIS)
    assert message.direction == Direction.TO_TEAM
    alert = Alert.objects.get(patient=ada_patient)
    assert alert.severity in ("moderate", "high")
    assert alert.evidence["source"] == f"message:{message.id}"
    assert alert.evidence["text_kind"] == "message"
    assert any("kill myself" in span["text"] for span in alert.evidence["spans"])
    assert "Tuesday" not in json.dumps(alert.evidence)


def test_the_team_is_told_there_is_a_message_but_not_what_it_says(ada, ada_patient, ben, sam):
    _send(ada, ada_patient, CRISIS)
    notices = Notification.objects.filter(recipient__in=[ben, sam])
    assert {n.recipient_id for n in notices} == {ben.id, sam.id}
    for notice in notices:
        assert "kill" not in notice.subject + notice.body
        assert "Ada" not in notice.subject + notice.body
        assert notice.link_path == f"/messages/patients/{ada_patient.id}/"


def test_a_team_message_notifies_the_patient_and_is_not_screened(ada, ada_patient, ben) -> None:
    message = _send(ben, ada_patient, "If you ever want to kill yourself, call us.")
    assert (message.direction, message.screen_level) == (Direction.TO_PATIENT, "")
    assert not Alert.objects.exists()
    [notice] = Notification.objects.filter(recipient=ada)
    assert notice.link_path == "/messages/" and "kill" not in notice.body


@pytest.mark.parametrize("body", ["See you Tuesday.", "I would never kill myself."])
def test_a_neutral_or_hedged_message_raises_nothing(ada, ada_patient, body) -> None:
    _send(ada, ada_patient, body)
    assert not Alert.objects.exists()


def test_message_alert_and_notifications_roll_back_together(ada, ada_patient, ben) -> None:
    with (
        mock.patch.object(services, "record_event", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        _send(ada, ada_patient, CRISIS)
    assert not Message.objects.exists()
    assert not Alert.objects.exists()
    assert not Notification.objects.exists()


def test_a_resent_message_is_stored_once_and_a_changed_one_conflicts(ada, ada_patient, ben):
    client_id = uuid.uuid4()
    first = _send(ada, ada_patient, CRISIS, client_id)
    again = _send(ada, ada_patient, CRISIS, client_id)
    assert again.id == first.id
    assert (Message.objects.count(), Alert.objects.count()) == (1, 1)
    assert Notification.objects.filter(recipient=ben).count() == 1
    with pytest.raises(Conflict):
        _send(ada, ada_patient, "Different", client_id)


@pytest.mark.parametrize("body", ["", "  \n", "a\x00b", "x" * 5_001])
def test_invalid_messages_are_refused(ada, ada_patient, body) -> None:
    with pytest.raises(InvalidInput):
        _send(ada, ada_patient, body)
    assert not Message.objects.exists()


def test_only_the_patient_and_their_team_write_in_the_conversation(dana, cleo, ada_patient):
    for outsider in (dana, cleo):
        with pytest.raises(NotFound):
            _send(outsider, ada_patient, "Hello")


def test_reading_marks_the_other_sides_messages_read_and_is_audited(ada, ada_patient, ben, sam):
    from_ada = _send(ada, ada_patient, "Hello team")
    from_ben = _send(ben, ada_patient, "Hello Ada")
    assert mark_read(sam, ada_patient) == 1
    from_ada.refresh_from_db()
    from_ben.refresh_from_db()
    assert (from_ada.read_by_id, from_ben.read_at) == (sam.id, None)
    assert mark_read(ben, ada_patient) == 0  # the team already read it
    assert mark_read(ada, ada_patient) == 1
    assert AuditEvent.objects.filter(action=AuditAction.MESSAGE_READ).count() == 2


def test_bodies_are_encrypted_at_rest_and_audits_hold_no_text(ada, ada_patient) -> None:
    _send(ada, ada_patient, "canary-message-51c2")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM messaging_message")
        [(stored,)] = cursor.fetchall()
    assert stored.startswith("v1:") and "canary" not in stored
    event = AuditEvent.objects.get(action=AuditAction.MESSAGE_SENT)
    assert "canary" not in json.dumps(event.detail)
    assert event.detail["direction"] == "to_team"
