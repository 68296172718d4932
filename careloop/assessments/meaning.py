"""Plain-language meaning of a score for the patient: what it suggests, never a diagnosis."""

from __future__ import annotations

from django.utils.translation import gettext as _

_TOPIC = {
    "phq9": "depression",
    "phq8": "depression",
    "phq2": "depression",
    "gad7": "anxiety",
    "gad2": "anxiety",
}


def plain_meaning(instrument_id: str, band: str) -> str:
    """One sentence a patient can read at a glance (reading age about 11)."""
    topic = _TOPIC.get(instrument_id)
    if not band:
        return _("Thank you. Your answers have been saved for your care team.")
    if topic is None:
        return _("Your answers are in the range called “%(band)s”.") % {"band": band}
    if band in {"minimal", "none/minimal", "none"}:
        return _("Your answers suggest few or no signs of %(topic)s right now.") % {"topic": topic}
    return _("Your answers suggest %(band)s symptoms of %(topic)s.") % {
        "band": band,
        "topic": topic,
    }


NEXT_STEP = (
    "This is not a diagnosis. Your care team sees your answers and will talk them through with you."
)
