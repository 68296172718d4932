"""What a measure is: the mood check-in or an instrument of the library, and the default plan's
measures with their availability."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from careloop.instruments.library import UnknownInstrument, get_instrument
from careloop.monitoring.schedule import CHECKIN, DEFAULT_PLAN, Cadence


@dataclass(frozen=True)
class MeasureInfo:
    measure: str
    title: str
    label: str  # short name for tables: "PHQ-9"
    available: bool
    unavailable_reason: str

    @property
    def answer_path(self) -> str:
        """Where the patient completes it."""
        if self.measure == CHECKIN:
            return reverse("monitoring:checkin")
        return reverse("assessments:answer", args=[self.measure])


_SHORT_NAME = re.compile(r"\(([^()]+)\)$")


def measure_info(measure: str) -> MeasureInfo | None:
    """The check-in or an instrument from the library (disabled ones marked); None if unknown."""
    if measure == CHECKIN:
        return MeasureInfo(CHECKIN, _("Mood check-in"), _("Mood check-in"), True, "")
    try:
        instrument = get_instrument(measure)
    except UnknownInstrument:
        return None
    short = _SHORT_NAME.search(instrument.title)
    return MeasureInfo(
        measure=measure,
        title=instrument.title,
        label=short.group(1) if short else instrument.title,
        available=instrument.enabled,
        unavailable_reason="" if instrument.enabled else (instrument.disabled_reason or ""),
    )


def info_or_missing(measure: str) -> MeasureInfo:
    info = measure_info(measure)
    if info is None:  # a stored item whose instrument left the library: shown, never scheduled
        return MeasureInfo(measure, measure, measure, False, "not in the instrument library")
    return info


def default_plan_cadences() -> list[tuple[Cadence, MeasureInfo]]:
    """Every measure of the default plan with its availability (disabled instruments marked)."""
    return [(cadence, info_or_missing(cadence.measure)) for cadence in DEFAULT_PLAN]


def skipped_default_measures() -> list[MeasureInfo]:
    """Default-plan measures left out because the instrument library has them disabled."""
    return [info for _cadence, info in default_plan_cadences() if not info.available]
