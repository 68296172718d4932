"""The sections of a safety plan and the check every saved version passes. Pure (no Django).

Stanley–Brown Safety Planning Intervention (clinical_spec.md §19; Stanley & Brown 2012, Cogn Behav
Pract 19:256-264): six steps, written collaboratively in the patient's own words. Many templates add
"the one thing most important to me / reasons for living"; the spec marks that as UNVERIFIED as part
of the original intervention, so it is kept as an optional, clearly labelled extra section.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CONTENT_SCHEMA = 1
MAX_ITEMS_PER_SECTION = 20
MAX_TEXT_CHARS = 300
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{1,30}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InvalidPlan(ValueError):
    """The plan cannot be saved as sent; the message says what to fix, in plain words."""


@dataclass(frozen=True)
class PlanSection:
    key: str
    step: int | None  # Stanley–Brown step number; None for the optional extra section
    title: str  # plain words for the patient
    prompt: str
    spec_wording: str  # the spec's wording, shown to clinicians
    takes_phone: bool = False
    is_original_spi: bool = True


SECTIONS: tuple[PlanSection, ...] = (
    PlanSection(
        "warning_signs",
        1,
        "My warning signs",
        "Thoughts, feelings, situations or behaviour that tell me a crisis may be starting.",
        "Recognising warning signs of an impending suicidal crisis",
    ),
    PlanSection(
        "internal_coping",
        2,
        "Things I can do on my own to cope",
        "Things I can do by myself to take my mind off my problems.",
        "Internal coping strategies (things I can do alone)",
    ),
    PlanSection(
        "social_distraction",
        3,
        "People and places that take my mind off things",
        "People I can be with and places I can go that help me feel better.",
        "Social contacts and social settings that provide distraction",
        takes_phone=True,
    ),
    PlanSection(
        "people_to_ask_for_help",
        4,
        "People I can ask for help",
        "Family members or friends I can tell that I am in crisis.",
        "Family members or friends who may help resolve the crisis (people I can ask for help)",
        takes_phone=True,
    ),
    PlanSection(
        "professionals_and_agencies",
        5,
        "Professionals and services I can contact in a crisis",
        "My clinician, my care team, crisis lines and emergency services.",
        "Mental health professionals or agencies to contact (incl. crisis lines / emergency "
        "services)",
        takes_phone=True,
    ),
    PlanSection(
        "making_environment_safe",
        6,
        "Making my surroundings safe",
        "How I can keep myself safe, for example by putting things I could use to hurt myself "
        "out of reach.",
        "Making the environment safe — restricting access to lethal means",
    ),
    PlanSection(
        "reasons_for_living",
        None,
        "What matters most to me / my reasons for living",
        "The things and people that are most important to me. (Optional.)",
        "'The one thing most important to me / reasons for living' appears on many templates — "
        "UNVERIFIED as part of the original SPI (clinical_spec.md §19)",
        is_original_spi=False,
    ),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)
_BY_KEY = {section.key: section for section in SECTIONS}


def empty_content() -> dict[str, Any]:
    return {"schema": CONTENT_SCHEMA, "sections": {key: [] for key in SECTION_KEYS}}


def _clean_text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidPlan(f"{where}: expected text")
    if _CONTROL.search(value):
        raise InvalidPlan(f"{where}: contains characters that cannot be saved")
    text = " ".join(value.split())
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidPlan(f"{where}: please keep each entry under {MAX_TEXT_CHARS} characters")
    return text


def _clean_item(section: PlanSection, raw: object, where: str) -> dict[str, str] | None:
    """One entry: its text and, in the contact sections, a phone number. Blank rows vanish."""
    if not isinstance(raw, Mapping) or set(raw) - {"text", "phone"}:
        raise InvalidPlan(f"{where}: each entry has a text and, for contacts, a phone")
    text = _clean_text(raw.get("text", ""), where)
    phone = _clean_text(raw.get("phone", ""), where)
    if phone and not section.takes_phone:
        raise InvalidPlan(f"{where}: phone numbers belong in steps 3 to 5")
    if phone and not _PHONE.match(phone):
        raise InvalidPlan(f"{where}: {phone!r} does not look like a phone number")
    if not text and phone:
        raise InvalidPlan(f"{where}: add a name for the phone number {phone}")
    if not text:
        return None
    return {"text": text, "phone": phone} if section.takes_phone else {"text": text}


def normalise_content(sections: object) -> dict[str, Any]:
    """Check a plan as sent (section key → list of entries) and return the content to store.

    Unknown sections, wrong types, overlong text and malformed phone numbers are refused with a
    message naming the section; missing sections are stored empty; blank entries are dropped.
    """
    if not isinstance(sections, Mapping):
        raise InvalidPlan("sections must map each section name to a list of entries")
    unknown = sorted(set(sections) - set(SECTION_KEYS))
    if unknown:
        raise InvalidPlan(f"unknown section(s): {', '.join(map(str, unknown))}")
    content = empty_content()
    for key, raw_items in sections.items():
        section = _BY_KEY[key]
        if not isinstance(raw_items, list):
            raise InvalidPlan(f"{section.title}: expected a list of entries")
        if len(raw_items) > MAX_ITEMS_PER_SECTION:
            raise InvalidPlan(f"{section.title}: at most {MAX_ITEMS_PER_SECTION} entries")
        items = [
            _clean_item(section, raw, f"{section.title}, entry {n}")
            for n, raw in enumerate(raw_items, start=1)
        ]
        content["sections"][key] = [item for item in items if item is not None]
    return content


def sections_with_items(content: Mapping[str, Any]) -> list[tuple[PlanSection, list[Any]]]:
    """The stored content in display order, each section with its entries."""
    stored = content.get("sections", {})
    return [(section, list(stored.get(section.key, []))) for section in SECTIONS]
