"""The server-rendered safety plan form: rows to show, and the posted rows back as plan data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from careloop.safety.planning.errors import InvalidSafetyPlan
from careloop.safety.planning.plan_content import (
    MAX_ITEMS_PER_SECTION,
    SECTIONS,
    PlanSection,
    sections_with_items,
)

BLANK_ROWS = 3  # empty rows offered under the existing entries; saving offers three more


@dataclass(frozen=True)
class FormRow:
    number: int
    text: str
    phone: str


@dataclass(frozen=True)
class FormSection:
    section: PlanSection
    rows: list[FormRow]


def form_sections(content: Mapping[str, Any]) -> list[FormSection]:
    """Each section with its entries as editable rows, plus blank rows to add new ones."""
    result = []
    for section, items in sections_with_items(content):
        blanks = max(0, min(BLANK_ROWS, MAX_ITEMS_PER_SECTION - len(items)))
        padded = [*items, *([{}] * blanks)]
        rows = [
            FormRow(number=n, text=item.get("text", ""), phone=item.get("phone", ""))
            for n, item in enumerate(padded, start=1)
        ]
        result.append(FormSection(section=section, rows=rows))
    return result


def sections_from_post(post: QueryDict) -> dict[str, list[dict[str, str]]]:
    """Posted rows (`<key>-text`, `<key>-phone`, repeated) → plan data; blank rows left out."""
    sections: dict[str, list[dict[str, str]]] = {}
    for section in SECTIONS:
        texts = post.getlist(f"{section.key}-text")
        phones = post.getlist(f"{section.key}-phone") if section.takes_phone else []
        phones += [""] * (len(texts) - len(phones))
        rows = [{"text": t, "phone": p} for t, p in zip(texts, phones, strict=False)]
        kept = [row for row in rows if row["text"].strip() or row["phone"].strip()]
        sections[section.key] = [
            row if section.takes_phone else {"text": row["text"]} for row in kept
        ]
    return sections


def posted_content(post: QueryDict) -> dict[str, Any]:
    """What the author typed, to show again when the save is refused (never lose their words)."""
    return {"sections": sections_from_post(post)}


def base_version_from_post(post: QueryDict) -> int:
    raw = post.get("base_version", "")
    if not raw.isdigit():
        raise InvalidSafetyPlan("The form was incomplete. Please reload the page and try again.")
    return int(raw)
