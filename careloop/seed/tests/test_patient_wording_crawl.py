"""No internal code reaches a patient (issue #18 item 6, hazard HZ-022).

The seeded demo as the patient Ada sees it after a worrying week: a PHQ-9 with item 9 answered
"More than half the days" (an alert, a follow-up questionnaire offered), a journal entry and a
message in crisis language (alerts whose sources are `journal:<id>` / `message:<id>`), a mood
check-in. Every page she can reach is then held to one rule: nothing written for machines or
staff — instrument versions (`phq9@1.0.0`), rule ids, raw plan lines (`PHQ9 every 7 day(s)`),
internal references (`message:<uuid>`), `UNVERIFIED` labels or a raw `None` — is in the HTML.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from careloop.accounts.models import User
from careloop.monitoring.services import ensure_default_plan
from careloop.seed.tests.test_demo_crawl import crawl, csrf_checked, demo, submit

__all__ = ["demo"]  # the fixture, re-used from the demo crawl

# What must never appear in a patient's HTML, each with why it is named.
PATIENT_FORBIDDEN: dict[str, re.Pattern[str]] = {
    "versioned code (instrument or rule)": re.compile(r"\b[a-z][a-z0-9_]*@\d+\.\d+\.\d+\b"),
    "raw plan cadence": re.compile(r"day\(s\)"),
    "raw measure code": re.compile(
        r"\b(?:PHQ9|PHQ8|PHQ2|GAD7|GAD2|WHO5|PCL5|AUDIT_C|CORE10|PSS10|CSSRS_SCREENER|CHECKIN)\b"
    ),
    "internal reference": re.compile(
        r"\b(?:message|journal|checkin|assessment|text|clinician)\s*:\s*[0-9a-f]{8}-[0-9a-f]{4}-"
    ),
    "verification label": re.compile(r"UNVERIFIED"),
    # "None" as a value ("answer None", "=None", a cell holding None); "None." as the English
    # word for an empty section is fine.
    "raw None": re.compile(r"(?:>\s*|=|:\s*|answer\s+)None\b(?!\.)"),
}


def forbidden_in(html: str) -> list[str]:
    return [
        f"{name}: {match.group(0)!r}"
        for name, pattern in PATIENT_FORBIDDEN.items()
        if (match := pattern.search(html))
    ]


def test_the_patterns_catch_what_they_are_meant_to_catch() -> None:
    leaking = (
        "<p>phq9@1.0.0</p><p>PHQ9 every 7 day(s)</p><p>message:0190c3e1-2b4f-7c2a-9d1e-1a2b3c4d5e6f"
        "</p><p>(UNVERIFIED)</p><td>None</td>"
    )
    found = "\n".join(forbidden_in(leaking))
    for name in PATIENT_FORBIDDEN:
        assert name in found, (name, found)
    clean = (
        '<a href="/questionnaires/phq9/">PHQ-9</a><p>Patient Health Questionnaire-9 (PHQ-9), '
        "every week</p><p>No one has looked at your record.</p>"
    )
    assert forbidden_in(clean) == []


def _result_page(client: Client, **answers: str) -> str:
    result = submit(client, "/questionnaires/phq9/", "", **answers)
    assert result.status_code == 200 and result.redirect_chain, result.status_code
    return urlsplit(result.redirect_chain[-1][0]).path


def _worrying_week(user: User, clinician: User) -> tuple[Client, list[str]]:
    """Ada answers as a patient in difficulty would; returns her client and her result pages."""
    # Her plan stored, as the worker's ensure_default_plans job does, so "what I am asked to
    # fill in" on her data page lists it.
    ensure_default_plan(user.patient_record, actor=clinician)
    ada = csrf_checked(user)
    items = {f"item-{n}": "1" for n in range(1, 10)}
    pages = [
        _result_page(ada, **items | {"item-9": "2"}),  # a risk answer: the follow-up is offered
        _result_page(ada, **{k: v for k, v in items.items() if k != "item-9"}),  # 9 skipped
    ]
    submit(ada, "/journal/", "/journal/entries/", body="I want to kill myself tonight.")
    submit(ada, "/messages/", "", body="I want to end my life, I have the pills ready.")
    submit(ada, "/checkin/", "", mood="1", note="Awful day.")
    return ada, pages


@pytest.mark.slow  # seeds the demo, fills a worrying week through the forms, crawls every page
def test_no_code_or_staff_label_reaches_any_page_the_patient_can_reach(
    demo: dict[str, User],
) -> None:
    ada, result_pages = _worrying_week(demo["ada"], demo["ben"])
    first = ada.get(result_pages[0]).content.decode()
    assert "Answer a few more questions now" in first
    assert 'href="/questionnaires/cssrs_screener/"' in first
    assert "You did not answer" in ada.get(result_pages[1]).content.decode()
    pages: dict[str, list[str]] = {}
    for start in ("/", *result_pages, "/me/data/", "/me/access/", "/questionnaires/history/"):
        for path in crawl(ada, start).pages:
            if path not in pages:
                pages[path] = forbidden_in(ada.get(path).content.decode())
    leaks = {path: found for path, found in pages.items() if found}
    report = "\n".join(f"{path}: {'; '.join(found)}" for path, found in leaks.items())
    assert len(pages) >= 15, sorted(pages)
    assert {*result_pages, "/me/data/", "/questionnaires/cssrs_screener/"} <= set(pages)
    assert not leaks, report
