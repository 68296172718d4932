"""Template helper for the questionnaire form: re-show the answers the patient already gave."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

register = template.Library()


@register.filter
def kept_answer(submitted: Mapping[str, str], link_id: str) -> str:
    """The value posted for item `link_id` ("" when none), so a re-shown form keeps it checked."""
    return str(submitted.get(f"item-{link_id}", "")) if submitted else ""
