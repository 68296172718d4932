from __future__ import annotations

import uuid

from careloop.assessments.models import SubmissionSource
from careloop.assessments.services import submit_assessment
from careloop.audit.models import AuditAction, AuditEvent
from careloop.notifications.models import Channel, DeliveryStatus, Notification
from careloop.notifications.ports import sender_for
from careloop.notifications.services import deliver_pending_notifications
from careloop.safety.models import Alert, AlertStatus
from careloop.safety.services import notify_raised_alerts


def _risk_submission(ada, ada_patient):
    return submit_assessment(
        ada_patient,
        actor=ada,
        instrument_id="phq9",
        answers=[0, 0, 0, 0, 0, 0, 0, 0, 3],
        client_id=uuid.uuid4(),
        source=SubmissionSource.API,
    )


def test_raised_alert_notifies_every_member_of_the_patients_team_once(
    ada, ada_patient, ben, sam, dana
) -> None:
    _risk_submission(ada, ada_patient)
    assert notify_raised_alerts() == 1
    assert notify_raised_alerts() == 0  # nothing left to claim
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.NOTIFIED and alert.notified_at is not None
    rows = Notification.objects.order_by("recipient__username", "channel")
    assert [(n.recipient.username, n.channel) for n in rows] == [
        ("ben", Channel.EMAIL),
        ("ben", Channel.IN_APP),
        ("sam", Channel.EMAIL),
        ("sam", Channel.IN_APP),
    ]
    assert all("Ada" not in n.body for n in rows)  # no names in messages
    assert AuditEvent.objects.filter(action=AuditAction.ALERT_NOTIFIED).count() == 1


def test_emails_are_delivered_by_the_worker_and_marked_sent(ada, ada_patient, ben) -> None:
    ben.email = "ben@example.org"
    ben.save()
    _risk_submission(ada, ada_patient)
    notify_raised_alerts()
    sender = sender_for(Channel.EMAIL)
    before = len(sender.sent)  # type: ignore[attr-defined]
    assert deliver_pending_notifications() == 1
    assert len(sender.sent) == before + 1  # type: ignore[attr-defined]
    assert Notification.objects.get(channel=Channel.EMAIL).status == DeliveryStatus.SENT


def test_a_failing_channel_is_retried_later_not_lost(ada, ada_patient, ben, monkeypatch) -> None:
    ben.email = "ben@example.org"
    ben.save()
    _risk_submission(ada, ada_patient)
    notify_raised_alerts()

    def down(message):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(sender_for(Channel.EMAIL), "send", down)
    assert deliver_pending_notifications() == 0
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert (email.status, email.attempts, email.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "ConnectionError",
    )
    assert email.next_attempt_at > email.created_at
