"""A patient's message in a shipped language is screened; one in a language the detector does
not cover is stored "unscreened" and queued for the care team's review (HZ-026)."""

from __future__ import annotations

import uuid

from careloop.messaging.services import send_message
from careloop.safety.models import Alert, ReviewItem
from careloop.safety.types import ReviewKind


def test_an_arabic_crisis_message_raises_an_alert(ada, ada_patient, ben, sam) -> None:
    message, _ = send_message(ada, ada_patient, body="أريد أن أقتل نفسي", client_id=uuid.uuid4())
    alert = Alert.objects.get(patient=ada_patient)
    assert alert.evidence["source"] == f"message:{message.id}"
    assert message.screen_level == alert.severity
    assert not ReviewItem.objects.exists()


def test_a_message_in_an_uncovered_language_goes_to_the_review_queue(
    ada, ada_patient, ben, sam
) -> None:
    message, _ = send_message(
        ada, ada_patient, body="Сегодня я весь день был дома.", client_id=uuid.uuid4()
    )
    assert message.screen_level == "unscreened"
    assert not Alert.objects.exists()
    item = ReviewItem.objects.get(patient=ada_patient)
    assert (item.kind, item.source_ref) == (ReviewKind.TEXT_NOT_SCREENED, f"message:{message.id}")


def test_a_team_members_message_is_not_screened_or_queued(ada, ada_patient, ben, sam) -> None:
    message, _ = send_message(
        ben, ada_patient, body="Сегодня я весь день был дома.", client_id=uuid.uuid4()
    )
    assert message.screen_level == ""
    assert not ReviewItem.objects.exists()


def test_the_patient_is_told_a_message_could_not_be_checked(as_user, ada, ben, sam) -> None:
    form = {"body": "Сегодня я весь день был дома.", "client_id": str(uuid.uuid4())}
    html = as_user(ada).post("/messages/", form, follow=True).content.decode()
    assert "We could not check this message" in html and "/safety/" in html
    assert "You are not alone" not in html


def test_the_api_says_a_message_was_not_screened(as_user, ada, ben, sam) -> None:
    body = {"body": "Сегодня я весь день был дома.", "client_id": str(uuid.uuid4())}
    sent = as_user(ada).post("/api/messages", body, content_type="application/json")
    assert sent.status_code == 201, sent.content
    assert (sent.json()["screened"], sent.json()["concern_raised"]) == (False, False)
