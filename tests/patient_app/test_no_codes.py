"""Issue #14 item 4: no codes or internal labels shown to patients.

Every patient page (tests/patient_app/pages.py), rendered as a signed-in patient whose record
has something in every domain (a PHQ-9 with a risk answer and the alert it raised, a check-in,
a plan, a safety plan, journal entries — one in crisis language, which raises an alert —,
messages both ways), is held to the rule on the words the patient reads or hears: the visible
text and the attributes read out (aria-label, title, alt, placeholder). Not the raw HTML: URLs
and class names are not read (careloop/seed/tests/test_patient_wording_crawl.py checks the raw
HTML of the seeded demo with its own patterns).

The privacy centre's pages (rights/access_privacy.html, access_log.html) are checked here too.
"""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser

import pytest

from careloop.assessments.models import Assessment
from conftest import signed_in
from tests.patient_app.pages import (
    PRIVACY_CENTRE,
    patient_pages,
    patient_with_record,
    visible_text,
)

FORBIDDEN: dict[str, re.Pattern[str]] = {
    "versioned code (instrument, rule or model)": re.compile(r"@\d+\.\d+\.\d+"),
    "verification label": re.compile(r"\bUNVERIFIED\b"),
    "snake_case token (an internal name or stored value)": re.compile(
        r"(?<![\w/.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.-])"
    ),
    "upper-case code (an enum or purpose-of-use value)": re.compile(
        r"\b(?:PATRQT|TREAT|ETREAT|HPAYMT|RAISED|NOTIFIED|ACKNOWLEDGED|ACTIONED|CLOSED|"
        r"INCOMPLETE|COMPLETE|UNSCREENED|PHQ9|GAD7|PHQ8|CORE10|WHO5|CHECKIN)\b"
    ),
    "raw measure code": re.compile(r"\b(?:phq9|gad7|phq8|phq2|gad2|core10|who5|pcl5|audit_c)\b"),
    # a value printed raw ("answer: None", "(None)", "True"); "None." as the English word is fine
    "raw None, True or False": re.compile(r"(?:[:=(]\s*None\b)|\b(?:True|False)\b"),
    "internal reference": re.compile(
        r"\b(?:message|journal|checkin|assessment|text)\s*:\s*[0-9a-f]{8}-"
    ),
    "a bare id": re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
}


class _ReadAttributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"aria-label", "title", "alt", "placeholder", "aria-description"} and value:
                self.values.append(value)


def read_attributes(html: str) -> str:
    parser = _ReadAttributes()
    parser.feed(html)
    return "\n".join(parser.values)


def codes_in(text: str) -> list[str]:
    return [
        f"{name}: {match.group(0)!r}"
        for name, pattern in FORBIDDEN.items()
        for match in pattern.finditer(text)
    ]


def test_the_patterns_catch_codes_and_let_plain_words_through():
    leaking = (
        "phq9@1.0.0 · (UNVERIFIED) · journal_crisis_text · PATRQT · None · "
        "answer: None · message:0190c3e1-2b4f-7c2a-9d1e-1a2b3c4d5e6f"
    )
    found = "\n".join(codes_in(leaking))
    for name in (
        "versioned code",
        "verification label",
        "snake_case",
        "upper-case code",
        "raw None",
        "internal reference",
    ):
        assert name in found, (name, found)
    plain = "Patient Health Questionnaire-9 (PHQ-9): next due on Monday. None of your answers."
    assert codes_in(plain) == []


@pytest.mark.django_db
def test_no_patient_page_shows_codes_or_internal_labels(ada, ben):
    from careloop.journal.services import write_entry

    patient = patient_with_record(ada, ben)
    # A private entry in crisis language: the alert it raises must read plainly to the patient.
    write_entry(
        ada, patient, body="I want to end my life tonight", shared=False, client_id=uuid.uuid4()
    )
    result = Assessment.objects.filter(patient=patient, instrument_id="phq9").first()
    assert result is not None
    client = signed_in(ada)
    failures = []
    for page in [*patient_pages(patient, result_id=result.id), *PRIVACY_CENTRE]:
        response = client.get(page.url, follow=True)
        assert response.status_code == 200, f"{page.name}: {response.status_code}"
        html = response.content.decode()
        for problem in codes_in(visible_text(html) + "\n" + read_attributes(html)):
            failures.append(f"{page.name}: {problem}")
    assert not failures, "Codes shown to the patient:\n" + "\n".join(failures)
