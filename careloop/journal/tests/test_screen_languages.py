"""A journal entry in any language the app ships is screened; one in a language the detector
does not cover is stored "unscreened" and queued for a clinician, never stored as safe (HZ-026).
"""

from __future__ import annotations

import pytest

from careloop.safety.models import Alert, ReviewItem
from careloop.safety.types import ReviewKind


@pytest.mark.parametrize(
    ("body", "level"),
    [
        ("أريد أن أقتل نفسي.", ("moderate", "high")),  # was none (0.10) before issue #18
        ("Je vais me tuer ce soir, j'ai les médicaments.", ("high",)),  # a plan for tonight
        ("Ich will mich umbringen.", ("moderate", "high")),
        ("Quero me matar.", ("moderate", "high")),
    ],
)
def test_crisis_language_in_each_shipped_language_raises_an_alert(write, body, level) -> None:
    entry = write(body)
    alert = Alert.objects.get(patient=entry.patient)
    assert alert.severity in level and entry.screen_level == alert.severity
    assert not ReviewItem.objects.exists()


def test_an_entry_in_an_uncovered_language_goes_to_the_review_queue(write) -> None:
    entry = write("Сегодня я весь день был дома и смотрел телевизор с мамой.")
    assert entry.screen_level == "unscreened"
    assert not Alert.objects.exists()
    item = ReviewItem.objects.get(patient=entry.patient)
    assert (item.kind, item.source_ref) == (ReviewKind.TEXT_NOT_SCREENED, f"journal:{entry.id}")
    assert "could not be screened" in item.reason
    assert "телевизор" not in str(item.evidence)  # facts only, never the patient's words


def test_a_screened_entry_queues_no_review(write) -> None:
    write("Je suis allée au marché avec ma fille ce matin.")
    assert not ReviewItem.objects.exists()
    assert not Alert.objects.exists()


UNCOVERED = "Сегодня я весь день был дома и смотрел телевизор с мамой."


def test_a_private_unscreened_entry_asks_the_clinician_to_check_in_not_to_read_it(write) -> None:
    write(UNCOVERED)  # private: the care team cannot open it
    item = ReviewItem.objects.get()
    assert "has not shared it" in item.reason and "check in" in item.reason
    assert "Please read it" not in item.reason
    assert item.evidence["team_can_read"] is False


def test_a_shared_readable_unscreened_entry_asks_the_clinician_to_read_it(
    write, journal_consent
) -> None:
    journal_consent()
    write(UNCOVERED, shared=True)
    item = ReviewItem.objects.get()
    assert "Please read it" in item.reason and item.evidence["team_can_read"] is True


def test_the_patient_is_told_an_entry_could_not_be_checked_with_help_at_hand(as_user, ada) -> None:
    import uuid

    form = {"body": UNCOVERED, "client_id": str(uuid.uuid4())}
    html = as_user(ada).post("/journal/entries/", form, follow=True).content.decode()
    assert "We could not check this entry" in html and "Your entry is saved." in html
    assert "asked to check in with you" in html
    assert "/safety/" in html  # crisis help one tap away
    assert "You are not alone" not in html  # nothing worrying was found: no false claim


def test_the_api_says_an_entry_was_not_screened(as_user, ada) -> None:
    import uuid

    body = {"body": UNCOVERED, "client_id": str(uuid.uuid4()), "shared_with_team": False}
    written = as_user(ada).post("/api/journal/entries", body, content_type="application/json")
    assert written.status_code == 201
    assert (written.json()["screened"], written.json()["concern_raised"]) == (False, False)
    neutral = {**body, "body": "Slept well.", "client_id": str(uuid.uuid4())}
    again = as_user(ada).post("/api/journal/entries", neutral, content_type="application/json")
    assert again.json()["screened"] is True
