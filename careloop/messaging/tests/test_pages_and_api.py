"""Messaging pages and API: the patient is always told messages are not read around the clock,
sees crisis help after a worrying message; the team lists and answers conversations."""

from __future__ import annotations

import uuid

from careloop.messaging.models import Message
from careloop.messaging.services import send_message

CRISIS = "I want to kill myself tonight."
NOT_24_7 = "Messages are read during working hours."


def test_the_patient_page_always_says_messages_are_not_read_around_the_clock(as_user, ada):
    html = as_user(ada).get("/messages/").content.decode()
    assert NOT_24_7 in html
    assert "If you are in danger now, call 999." in html
    assert html.index(NOT_24_7) < html.index('name="body"')
    assert '<label for="body">' in html


def test_a_crisis_message_shows_crisis_help_at_once(as_user, ada) -> None:
    response = as_user(ada).post(
        "/messages/", {"body": CRISIS, "client_id": str(uuid.uuid4())}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html and "You are not alone" in html
    assert 'href="tel:999"' in html
    assert Message.objects.get().body == CRISIS


def test_the_team_lists_reads_and_answers_a_conversation(as_user, ada, ada_patient, ben, dana):
    send_message(ada, ada_patient, body="Can we move Tuesday?", client_id=uuid.uuid4())
    ben_client = as_user(ben)
    listing = ben_client.get("/messages/").content.decode()
    assert "Ada Test" in listing and '<span class="badge">1</span>' in listing
    thread = ben_client.get(f"/messages/patients/{ada_patient.id}/")
    assert thread.status_code == 200 and "Can we move Tuesday?" in thread.content.decode()
    assert Message.objects.get().read_by_id == ben.id
    reply = ben_client.post(
        f"/messages/patients/{ada_patient.id}/",
        {"body": "Yes, Wednesday works.", "client_id": str(uuid.uuid4())},
    )
    assert reply.status_code == 302
    assert Message.objects.filter(sender=ben).count() == 1
    assert as_user(dana).get(f"/messages/patients/{ada_patient.id}/").status_code == 404
    assert "Ada Test" not in as_user(dana).get("/messages/").content.decode()


def test_api_both_sides(as_user, ada, ada_patient, ben, dana) -> None:
    ada_client, ben_client = as_user(ada), as_user(ben)
    body = {"body": CRISIS, "client_id": str(uuid.uuid4())}
    sent = ada_client.post("/api/messages", body, content_type="application/json")
    assert sent.status_code == 201, sent.json()
    assert sent.json()["concern_raised"] is True
    assert sent.json()["notice"] == (
        "Messages are read during working hours. If you are in danger now, call 999."
    )
    assert (
        ada_client.post("/api/messages", body, content_type="application/json").status_code == 200
    )
    [thread] = ben_client.get("/api/message-threads").json()
    assert (thread["patient_id"], thread["unread"]) == (str(ada_patient.id), 1)
    url = f"/api/patients/{ada_patient.id}/messages"
    assert [m["body"] for m in ben_client.get(url).json()] == [CRISIS]
    assert ben_client.post(f"{url}/read").json() == {"marked_read": 1}
    reply = {"body": "Calling you now.", "client_id": str(uuid.uuid4())}
    answered = ben_client.post(url, reply, content_type="application/json")
    assert answered.status_code == 201 and answered.json()["direction"] == "to_patient"
    mine = ada_client.get("/api/messages").json()
    assert [m["direction"] for m in mine] == ["to_team", "to_patient"]
    assert ada_client.post("/api/messages/read").json() == {"marked_read": 1}
    assert as_user(dana).get(url).status_code == 404
    assert as_user(dana).post(url, reply, content_type="application/json").status_code == 404
    assert ada_client.get(url).status_code == 404
