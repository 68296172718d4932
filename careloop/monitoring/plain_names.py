"""Measures and schedules in plain words for staff pages: "PHQ-9, weekly", never `phq9@1.0.0`
or "PHQ9 every 7 day(s)" (issue #13 item 7).

    measure_name("phq9@1.0.0")            -> "PHQ-9"
    measure_name("checkin")               -> "Mood check-in"
    cadence_words(7)                      -> "weekly"
    cadence_words(28)                     -> "every 4 weeks"
    measure_with_cadence("phq9", 7)       -> "PHQ-9, weekly"
    grace_words(3)                        -> "overdue after 3 days"

The names come from the instrument library (the abbreviation in brackets at the end of a
definition's title) through `selectors.measure_info`; a code no longer in the library is named
generically, never shown as a code. Templates reach these through the `plain_names` tag library.
"""

from __future__ import annotations

import functools
import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from careloop.instruments.library import UnknownInstrument, get_instrument
from careloop.monitoring.schedule import CHECKIN

# "Patient Health Questionnaire-9 (PHQ-9)": the abbreviation in brackets at the end, if short;
# "WHO-5 Well-Being Index", "AUDIT-C (Alcohol Use ... – Consumption)": the capitalised code first.
_TRAILING_SHORT = re.compile(r"\(([^()]{1,20})\)$")
_LEADING_CODE = re.compile(r"^([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|[A-Z]{2,}[0-9]*)(?=[\s(]|$)")


def short_title(title: str) -> str:
    """The abbreviation a questionnaire's title gives it, else the whole title."""
    trailing = _TRAILING_SHORT.search(title)
    if trailing:
        return trailing.group(1)
    leading = _LEADING_CODE.match(title)
    return leading.group(1) if leading else title


def measure_name(measure: str) -> str:
    """The short name staff know a measure by: "PHQ-9" for "phq9" or "phq9@1.0.0", "WHO-5",
    "Mood check-in" for the check-in; "A questionnaire" for a code the library no longer has."""
    code = str(measure).partition("@")[0]
    if code == CHECKIN:
        return _("Mood check-in")
    try:
        return short_title(get_instrument(code).title)
    except UnknownInstrument:
        return _("A questionnaire")


def cadence_words(every_days: int) -> str:
    """How often, in words: "daily", "weekly", "every 2 weeks", "every 10 days"."""
    days = int(every_days)
    if days == 1:
        return _("daily")
    if days == 7:
        return _("weekly")
    if days % 7 == 0:
        return _("every %(n)d weeks") % {"n": days // 7}
    return ngettext("every %(n)d day", "every %(n)d days", days) % {"n": days}


def measure_with_cadence(measure: str, every_days: int) -> str:
    """ "PHQ-9, weekly"."""
    return _("%(measure)s, %(cadence)s") % {
        "measure": measure_name(measure),
        "cadence": cadence_words(every_days),
    }


def grace_words(overdue_after_days: int) -> str:
    """How long a due measure may wait: "overdue the next day", "overdue after 3 days"."""
    days = int(overdue_after_days)
    if days == 0:
        return _("overdue the next day")
    return ngettext("overdue after %(n)d day", "overdue after %(n)d days", days) % {"n": days}


@functools.lru_cache(maxsize=64)  # the library is read once per process
def highest_total(instrument_id: str) -> int | None:
    """The highest total a questionnaire can score (27 for PHQ-9, 21 for GAD-7), from its
    definition's scored items; None for a code the library does not have."""
    try:
        definition = get_instrument(str(instrument_id).partition("@")[0])
    except UnknownInstrument:
        return None
    return sum(
        max((option.score or 0 for option in item.options), default=0)
        for item in definition.items
        if item.scored
    )
