"""Every page a patient reads, rendered as a signed-in patient with real data, and the words on
it as a reader sees them (issue #14 item 4: readability and plain words).

`visible_text` keeps what a patient reads or hears: text in the page (navigation included),
button and option labels, image alternatives. It leaves out:
- what is not shown: <head>, <script>, <style>, <template>, `hidden`, `aria-hidden="true"`;
- the SVG charts (every number and word in them is also in the table under each chart);
- `translate="no"`: proper nouns (questionnaire names, crisis line names) and phone numbers;
- `data-instrument-wording`: the validated questionnaire wording (instruction, items, answer
  options) that must not be changed, so it cannot be held to a reading grade;
- the options of a <select> other than the one shown (the selected one, else the first): a
  closed list shows one value (the crisis page's list of 100-odd countries is not prose).
Each block (paragraph, list item, cell, heading, label, button, option…) ends a sentence: a
table cell or a navigation link is not one long run-on sentence.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser

from django.test import Client

from careloop.accounts.models import User
from careloop.care.models import Patient
from careloop.instruments.library import list_instruments

SKIPPED_TAGS = frozenset({"head", "script", "style", "template", "svg", "noscript", "textarea"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
BLOCK_TAGS = frozenset(
    {
        "p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "label", "legend", "button",
        "option", "caption", "dt", "dd", "div", "section", "article", "nav", "header", "footer",
        "summary", "figcaption", "main", "ul", "ol", "table", "tr", "form", "fieldset", "details",
        "blockquote", "aside", "figure",
    }
)  # fmt: skip
_END = re.compile(r"[.!?:;…]$")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.in_select = False
        self.select_shown = False  # an option of the open <select> is already kept
        self.select_options: list[tuple[bool, str]] = []  # (selected, text)

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def _break(self) -> None:
        words = re.sub(r"\s+", " ", "".join(self.current)).strip()
        self.current = []
        if words:
            self.blocks.append(words if _END.search(words) else f"{words}.")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "select" and not self.skipping:
            self._break()
            self.in_select, self.select_options = True, []
            self.stack.append((tag, True))  # its options are collected, then one is kept
            return
        if tag == "option" and self.in_select:
            self.select_options.append(("selected" in values, ""))
            self.stack.append((tag, True))
            return
        skip = (
            self.skipping
            or tag in SKIPPED_TAGS
            or "hidden" in values
            or values.get("aria-hidden") == "true"
            or values.get("translate") == "no"
            or "data-instrument-wording" in values
            or (tag == "input" and values.get("type") == "hidden")
        )
        if tag in BLOCK_TAGS or tag == "br":
            self._break()
        if tag in VOID_TAGS:
            if not skip:
                if tag == "img" and values.get("alt"):
                    self.current.append(f" {values['alt']} ")
                if tag == "input" and values.get("type") in {"submit", "button"}:
                    self.current.append(f" {values.get('value') or ''} ")
            return
        self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        if tag == "select" and self.in_select:
            self.in_select = False
            shown = [text for selected, text in self.select_options if selected]
            first = [text for _, text in self.select_options[:1]]
            self.current.append((shown or first or [""])[0])
            self._break()
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        if tag in BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.in_select and self.stack and self.stack[-1][0] == "option":
            selected, text = self.select_options[-1]
            self.select_options[-1] = (selected, text + data)
        elif not self.skipping:
            self.current.append(data)

    def close(self) -> None:
        super().close()
        self._break()


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.blocks)


@dataclass(frozen=True)
class Page:
    name: str  # the template (or page) it stands for, e.g. "assessments/answer.html (phq9)"
    url: str
    signed_in: bool = True


def answerable_instruments() -> list[str]:
    return [definition.id for definition in list_instruments() if definition.enabled]


# The privacy centre's pages (#14 item 8, their own reading-grade test in rights): held to the
# no-codes rule here; not to this module's sentence-length rule yet (sentences of 26-29 words).
PRIVACY_CENTRE = (
    Page("rights/access_privacy.html", "/me/privacy/"),
    Page("rights/access_log.html", "/me/access/"),
)


def patient_pages(patient: Patient, *, result_id: uuid.UUID) -> list[Page]:
    """The pages of the patient app, with the data `fill_patient_record` made."""
    plan = f"/safety/patients/{patient.id}/plan/"
    pages = [
        Page("monitoring/patient_home.html", "/"),
        Page("monitoring/checkin.html", "/checkin/"),
        Page("monitoring/reminders.html", "/reminders/"),
        Page("monitoring/progress.html", "/progress/"),
        Page("monitoring/learn_index.html", "/learn/"),
        Page("monitoring/learn_module.html (not-safe)", "/learn/not-safe/"),
        Page("monitoring/learn_module.html (your-scores)", "/learn/your-scores/"),
        Page("assessments/result.html", f"/questionnaires/results/{result_id}/"),
        Page("assessments/history.html", "/questionnaires/history/"),
        Page("journal/index.html", "/journal/"),
        Page("messaging/thread.html (patient)", "/messages/"),
        Page("rights/data_page.html", "/me/data/"),
        Page("rights/data_erase.html", "/me/data/erase/"),
        Page("safety_planning/plan.html", plan),
        Page("safety_planning/plan_edit.html", f"{plan}edit/"),
        Page("safety_planning/plan_history.html", f"{plan}history/"),
        Page(
            "safety_planning/plan.html (version 1)",
            f"/safety/patients/{patient.id}/plan/versions/1/",
        ),
        Page("safety_planning/crisis.html", "/safety/crisis/"),
    ]
    pages += [
        Page(f"assessments/answer.html ({instrument})", f"/questionnaires/{instrument}/")
        for instrument in answerable_instruments()
    ]
    return pages


def render(client: Client, page: Page) -> str:
    response = client.get(page.url, follow=True)
    assert response.status_code == 200, f"{page.name}: {page.url} gave {response.status_code}"
    return response.content.decode()


def signed_out() -> Client:
    return Client()


def patient_with_record(ada: User, ben: User) -> Patient:
    from conftest import fill_patient_record

    patient = ada.patient_record
    fill_patient_record(patient, ada, ben)
    return patient
