"""A measurement plan in words for patients: "PHQ-9 every week", never "PHQ9 every 7 day(s)"
(issue #18 item 6, HZ-022)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from careloop.monitoring.selectors import measure_info

register = template.Library()


@register.filter
def measure_name(measure: str) -> str:
    """ "PHQ-9" for "phq9", "Mood check-in" for "checkin"; a measure no longer in the library is
    named generically rather than by its code."""
    info = measure_info(str(measure))
    return info.label if info is not None else _("A questionnaire")


@register.filter
def cadence_words(every_days: int) -> str:
    """ "every day", "every week", "every 2 weeks", "every 10 days"."""
    days = int(every_days)
    if days == 1:
        return _("every day")
    if days % 7 == 0:
        weeks = days // 7
        return ngettext("every week", "every %(n)d weeks", weeks) % {"n": weeks}
    return ngettext("every day", "every %(n)d days", days) % {"n": days}
