"""Template words for the patient's rights pages."""

from __future__ import annotations

from datetime import datetime

from django import template

from careloop.rights.access.selectors import date_and_time as _date_and_time

register = template.Library()


@register.filter
def date_and_time(moment: datetime) -> str:
    """ "7 December 2026 at 14:05", in the page's language."""
    return _date_and_time(moment)
