"""Stored codes in words for the ai pages: group and dimension names ("18_24", "not_stated",
"age_band") and language codes. The registry and the reports store codes; staff read words."""

from __future__ import annotations

import re

from django.utils.translation import get_language_info

_CODE = re.compile(r"\b(\w+?)_(\w+)\b")


def plain(text: str) -> str:
    """Stored group and dimension codes in words: "18_24" → "18-24", "not_stated" → "not
    stated", "65_and_over" → "65 and over" (the registry stores codes; staff read words)."""
    previous = None
    while previous != text:
        previous = text
        text = _CODE.sub(
            lambda m: f"{m[1]}-{m[2]}" if m[1].isdigit() and m[2].isdigit() else f"{m[1]} {m[2]}",
            text,
        )
    return text


def group_name(dimension: str, group: str) -> str:
    if dimension in ("language", "preferred_language"):
        try:
            return f"{get_language_info(group)['name']} ({group})"
        except KeyError:
            return group
    return plain(group)
