"""The privacy centre people read (#14 item 8): a short summary first (under 250 words), the
details folded below, consents and export one tap away, and "who accessed my data" that counts
the patient's own uses apart and explains everyone else's in words (who, what, why)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from careloop.audit.models import AuditEvent
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.core.errors import NotFound
from tests.patient_app.pages import visible_text
from tests.patient_app.readability import MEASURES, longest_sentences

SUMMARY_WORDS = 250


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}".*?</section>', html, flags=re.S)
    assert found, f"no section #{section_id}"
    return found.group(0)


def _main(html: str) -> str:
    found = re.search(r"<main\b.*?</main>", html, flags=re.S)
    assert found
    return found.group(0)


def _without_consent_documents(html: str) -> str:
    """The versioned consent texts are privacy's documents: rewording one makes every patient
    choose again, so they are held to their own review, not to this page's grade."""
    return re.sub(r'<div class="consent-text">.*?</div>', "", html, flags=re.S)


def test_the_summary_comes_first_and_is_short(as_user, ada) -> None:
    html = as_user(ada).get("/me/privacy/").content.decode()
    summary = visible_text(_section(html, "summary"))
    words = len(summary.split())
    assert 40 < words < SUMMARY_WORDS, f"summary has {words} words"
    main = _main(html)
    # Consents, the copy of the data and the access list are links above the summary.
    top = main.split('<section id="summary"')[0]
    for link in ('href="#choices"', 'href="/me/data/"', 'href="/me/access/"'):
        assert link in top
    # Every consent text is folded away inside its choice; the choice's button is not.
    parts = main.split('<div class="consent-text">')
    assert len(parts) > 5
    for before in parts[:-1]:
        choice = before.rsplit("<article", 1)[-1]
        assert choice.rfind("<details>") > choice.rfind("</details>"), (
            "a consent text is not folded"
        )
        assert "<button" in choice or "part of receiving care" in choice


def test_the_privacy_pages_read_at_grade_6(as_user, ada, ben, ada_patient) -> None:
    as_user(ben).get(f"/patients/{ada_patient.id}/")
    client = as_user(ada)
    client.get("/me/data/")
    measure = MEASURES["en"]
    for url in ("/me/privacy/", "/me/access/"):
        text = visible_text(_without_consent_documents(_main(client.get(url).content.decode())))
        grade = measure.score(text)
        assert measure.passes(grade), f"{url}: {measure.describe(grade)}"
        assert longest_sentences(text) == [], url
    summary = visible_text(_section(client.get("/me/privacy/").content.decode(), "summary"))
    assert measure.score(summary) <= 6


def test_own_uses_are_counted_apart_and_others_explained(as_user, ada, ben, ada_patient) -> None:
    for _ in range(3):
        as_user(ben).get(f"/patients/{ada_patient.id}/")
    client = as_user(ada)
    for _ in range(4):
        client.get("/me/data/")
    assert AuditEvent.objects.filter(actor=ada, action=AuditAction.DATA_VIEWED).count() == 4
    html = client.get("/me/access/").content.decode()
    others = html.split('id="others"')[1].split('id="you"')[0]
    you = html.split('id="you"')[1]
    # Ben's three opens are one line, in words: who, what, how often, why.
    assert "Your clinician ben opened your record 3 times to plan and check your care." in others
    assert "Last time:" in others
    assert "You " not in visible_text(others.split("<details>")[0])
    # The patient's own uses are one folded line with the count.
    assert "<summary>You used your own record 4 times</summary>" in you
    assert "You viewed everything the service holds about you 4 times." in you
    # The full list of other people's lines is still there, folded.
    assert "ben (your clinician) opened your record on" in others.split("<details>")[1]


def test_each_reason_is_worded_from_the_purpose_of_use(as_user, ada, cleo, ada_patient) -> None:
    record_event(
        actor=cleo, action=AuditAction.RESEARCH_EXTRACTED, service_id=ada_patient.service_id,
        patient_id=ada_patient.id, purpose=PurposeOfUse.HRESCH,
    )  # fmt: skip
    html = as_user(ada).get("/me/access/").content.decode()
    assert "included your data, without your name, in a research extract once for research." in html


def test_a_patient_nobody_else_opened_is_told_so(as_user, ada) -> None:
    html = as_user(ada).get("/me/access/").content.decode()
    assert "Nobody else has opened your record yet." in html


def test_own_uses_never_push_other_people_off_the_page(ada, ben, ada_patient) -> None:
    from careloop.rights.access.selectors import access_overview_for

    def event(actor, action, purpose) -> None:
        record_event(
            actor=actor, action=action, service_id=ada_patient.service_id,
            patient_id=ada_patient.id, purpose=purpose,
        )  # fmt: skip

    event(ben, AuditAction.PATIENT_VIEWED, PurposeOfUse.TREAT)
    event(None, AuditAction.ALERT_RAISED, PurposeOfUse.TREAT)  # Careloop's own step
    for _ in range(6):  # newer than Ben's read, and more than the page's limit below
        event(ada, AuditAction.DATA_VIEWED, PurposeOfUse.PATRQT)
    overview = access_overview_for(ada, ada_patient, limit=3)
    assert overview.own_count == 6
    assert [g.sentence for g in overview.own] == [
        "You viewed everything the service holds about you 6 times."
    ]
    assert [g.sentence for g in overview.others] == [
        "Careloop raised a safety alert so your care team could check on you once "
        "to plan and check your care.",
        "Your clinician ben opened your record once to plan and check your care.",
    ]
    with pytest.raises(NotFound):
        access_overview_for(ben, ada_patient)


def test_who_accessed_my_data_speaks_the_patients_language(as_user, ada, ben, ada_patient) -> None:
    """The lines are whole translated sentences (#14 item 3), not English phrases in a frame."""
    as_user(ben).get(f"/patients/{ada_patient.id}/")
    html = as_user(ada).get("/me/access/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    others = visible_text(html.split('id="others"')[1].split('id="you"')[0])
    with translation.override("es"):
        opened = translation.gettext("opened your record")
        reason = translation.gettext("to plan and check your care")
    assert opened != "opened your record" and reason != "to plan and check your care"
    assert opened in others and reason in others
    assert "opened your record" not in others


def test_the_packaged_consent_texts_are_shown_in_the_patients_language(as_user, ada) -> None:
    """The service's packaged consent documents (unchanged) read in the page's language; the
    stored English stays the document of record (#14 item 3)."""
    from careloop.privacy.consent_texts import SAFETY_EXCEPTION

    html = as_user(ada).get("/me/privacy/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    with translation.override("es"):
        safety = translation.gettext(SAFETY_EXCEPTION)
    assert safety != SAFETY_EXCEPTION
    assert safety.split(":")[0] in html and SAFETY_EXCEPTION.split(":")[0] not in html
