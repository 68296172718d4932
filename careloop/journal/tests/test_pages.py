"""The journal pages: the patient is told before writing what happens to risk language, sees
crisis help straight after such an entry, and the form works without JavaScript."""

from __future__ import annotations

import uuid

from careloop.journal.models import JournalEntry
from careloop.journal.tests.conftest import CRISIS

NOTICE = (
    "If what you write suggests you may be at risk, your care team will be told so they can help. "
    "They see the words that raised the concern, not your whole journal."
)


def test_the_patient_is_told_before_writing(as_user, ada) -> None:
    page = as_user(ada).get("/journal/")
    assert page.status_code == 200
    html = page.content.decode()
    assert NOTICE in html
    assert html.index(NOTICE) < html.index('name="body"')  # before the form, not after
    assert 'aria-describedby="journal-notice"' in html
    assert '<label for="body">' in html and '<label for="shared">' in html


def test_a_crisis_entry_shows_crisis_resources_at_once(as_user, ada) -> None:
    client = as_user(ada)
    form = {"body": CRISIS, "client_id": str(uuid.uuid4()), "mood": "1"}
    response = client.post("/journal/entries/", form, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "You are not alone" in html
    assert "Your care team has been told" in html
    assert 'href="tel:999"' in html  # the service country's emergency number
    assert "/safety/" in html  # the full crisis page
    entry = JournalEntry.objects.get()
    assert (entry.mood, entry.shared_with_team) == (1, False)


def test_a_neutral_entry_shows_no_crisis_callout(as_user, ada) -> None:
    client = as_user(ada)
    form = {"body": "A calm day.", "client_id": str(uuid.uuid4()), "shared": "on"}
    html = client.post("/journal/entries/", form, follow=True).content.decode()
    assert "You are not alone" not in html and "Your entry is saved." in html
    assert JournalEntry.objects.get().shared_with_team is True


def test_an_invalid_form_keeps_the_text_and_says_why(as_user, ada) -> None:
    response = as_user(ada).post("/journal/entries/", {"body": "Kept text", "client_id": "x"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'role="alert"' in html and "Kept text" in html
    assert not JournalEntry.objects.exists()


def test_the_clinician_page_shows_shared_entries_and_staff_cannot_write(
    as_user, ada, ben, ada_patient, write, journal_consent
) -> None:
    write("Private words.")
    write("Shared words.", shared=True)
    ben_client = as_user(ben)
    url = f"/journal/patients/{ada_patient.id}/"
    assert "not agreed to share" in ben_client.get(url).content.decode()
    journal_consent()
    html = ben_client.get(url).content.decode()
    assert "Shared words." in html and "Private words." not in html
    assert ben_client.get("/journal/").status_code == 404
    assert as_user(ada).get(url).status_code == 404


def test_the_patient_page_links_to_messages_and_shared_entries(as_user, ben, ada_patient) -> None:
    html = as_user(ben).get(f"/patients/{ada_patient.id}/").content.decode()
    assert f'href="/journal/patients/{ada_patient.id}/"' in html
    assert f'href="/messages/patients/{ada_patient.id}/"' in html


def test_patients_find_their_journal_and_messages_in_the_menu(as_user, ada) -> None:
    html = as_user(ada).get("/").content.decode()
    assert 'href="/journal/"' in html and 'href="/messages/"' in html
