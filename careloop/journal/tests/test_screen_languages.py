"""A journal entry in any language the app ships is screened; one in a language the detector
does not cover is stored "unscreened" and queued for a clinician, never stored as safe (HZ-026).
"""

from __future__ import annotations

import pytest

from careloop.safety.models import Alert, ReviewItem, ReviewKind


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
