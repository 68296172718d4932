"""Plain-language meaning of a result: for the patient (what it suggests, never a diagnosis, never
an answer they did not give) and for the care team (readable names, never "None").

Risk answers are worded from the answer actually stored, not from the flag that an answer
raised (issue #18 item 6, hazard HZ-022): a patient who skipped PHQ-9 item 9 is told that they
did not answer it, never "you told us you have had thoughts…".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from careloop.instruments.library import (
    InstrumentDefinition,
    InstrumentItem,
    UnknownInstrument,
    get_instrument,
)

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment

_TOPIC = {
    "phq9": gettext_noop("depression"),
    "phq8": gettext_noop("depression"),
    "phq2": gettext_noop("depression"),
    "gad7": gettext_noop("anxiety"),
    "gad2": gettext_noop("anxiety"),
}
# The scorers' band names (careloop/instruments/scoring), marked here so each language has them;
# `band_in_words` shows them in the page's language.
BAND_NAMES = (
    gettext_noop("minimal"),
    gettext_noop("mild"),
    gettext_noop("moderate"),
    gettext_noop("moderately severe"),
    gettext_noop("moderately severe or worse"),
    gettext_noop("moderate-to-severe"),
    gettext_noop("severe"),
    gettext_noop("subclinical"),
    gettext_noop("low"),
    gettext_noop("high"),
    gettext_noop("very high"),
    gettext_noop("healthy"),
    gettext_noop("likely to be well"),
    gettext_noop("likely mild disorder"),
    gettext_noop("likely moderate disorder"),
    gettext_noop("likely severe disorder"),
    gettext_noop("significant functional impairment"),
)


def band_in_words(band: str) -> str:
    """A scorer's band name in the page's language ("none/minimal" reads as "minimal")."""
    if not band:
        return ""
    band = {"none/minimal": "minimal", "none": "minimal"}.get(band, band)
    return _(band) if band in BAND_NAMES else band


_SHORT_NAME = re.compile(r"\(([^()]+)\)$")


def plain_meaning(instrument_id: str, band: str) -> str:
    """One sentence a patient can read at a glance (reading age about 11)."""
    topic_name = _TOPIC.get(instrument_id)
    topic = _(topic_name) if topic_name else None
    if not band:
        return _("Thank you. Your answers have been saved for your care team.")
    if topic is None:
        return _("Your answers are in the range called “%(band)s”.") % {"band": band_in_words(band)}
    if band in {"minimal", "none/minimal", "none"}:
        return _("Your answers suggest few or no signs of %(topic)s right now.") % {"topic": topic}
    return _("Your answers suggest %(band)s symptoms of %(topic)s.") % {
        "band": band_in_words(band),
        "topic": topic,
    }


NEXT_STEP = gettext_lazy(
    "This is not a diagnosis. Your care team sees your answers and will talk them through with you."
)


# --- Names --------------------------------------------------------------------------------


def _definition(instrument_id: str) -> InstrumentDefinition | None:
    try:
        return get_instrument(instrument_id.partition("@")[0])
    except UnknownInstrument:
        return None


def instrument_title(instrument_id_or_version: str) -> str:
    """ "Patient Health Questionnaire-9 (PHQ-9)" for "phq9" or "phq9@1.0.0"; a questionnaire that
    left the library is named generically rather than by its code."""
    definition = _definition(instrument_id_or_version)
    return definition.title if definition is not None else _("A questionnaire")


def instrument_short_name(instrument_id_or_version: str) -> str:
    """ "PHQ-9" for "phq9" or "phq9@1.0.0" (the abbreviation in the title), else the title."""
    title = instrument_title(instrument_id_or_version)
    short = _SHORT_NAME.search(title)
    return short.group(1) if short else title


# --- One item's answer --------------------------------------------------------------------


class AnswerState(StrEnum):
    POSITIVE = "positive"  # answered, and the answer is a risk answer
    NEGATIVE = "negative"  # answered "Not at all" / "No" (or any non-risk answer)
    NOT_ANSWERED = "not_answered"  # the item was left blank (stored as null)


@dataclass(frozen=True)
class ItemAnswer:
    link_id: str
    question: str  # the item's text as the patient read it
    state: AnswerState
    answer: str  # the option's display text ("Several days"), "" when not answered


def _item(definition: InstrumentDefinition, link_id: str) -> tuple[int, InstrumentItem] | None:
    for index, item in enumerate(definition.items):
        if item.link_id == link_id:
            return index, item
    return None


def item_answer(assessment: Assessment, link_id: str) -> ItemAnswer | None:
    """What was actually answered to one item (None: the instrument or item is unknown, or the
    result was imported as a total without its items)."""
    definition = _definition(assessment.instrument_id)
    found = _item(definition, link_id) if definition is not None else None
    if found is None or not assessment.items_available:
        return None
    index, item = found
    answers = assessment.answers or []
    value = answers[index] if index < len(answers) else None
    if value is None:
        return ItemAnswer(link_id, item.text, AnswerState.NOT_ANSWERED, "")
    option = next((o for o in item.options if o.value == value), None)
    display = option.display if option is not None else str(value)
    # 0 is "Not at all" / "No" on every risk item in the library (PHQ-9 9, EPDS 10, CORE-10 6,
    # C-SSRS); any other answer is a risk answer.
    state = AnswerState.NEGATIVE if value == 0 else AnswerState.POSITIVE
    return ItemAnswer(link_id, item.text, state, display)


def risk_item_answers(assessment: Assessment) -> list[ItemAnswer]:
    """The answers behind the result's risk flags, one per flagged item, as actually stored."""
    answers: list[ItemAnswer] = []
    for flag in assessment.risk_flags or []:
        link_id = str(flag.get("item", "")) if isinstance(flag, Mapping) else ""
        answer = item_answer(assessment, link_id)
        if answer is not None and all(a.link_id != link_id for a in answers):
            answers.append(answer)
    return answers


# --- The patient's result page ------------------------------------------------------------


@dataclass(frozen=True)
class RiskNote:
    """The safety callout on the patient's result page, worded from the stored answer."""

    heading: str
    lines: tuple[str, ...]
    urgent: bool


def risk_note(assessment: Assessment) -> RiskNote | None:
    """None when no risk item was flagged (a risk question answered "Not at all" says nothing)."""
    answers = risk_item_answers(assessment)
    positive = [a for a in answers if a.state == AnswerState.POSITIVE]
    skipped = [a for a in answers if a.state == AnswerState.NOT_ANSWERED]
    if positive:
        told = [
            _("You answered “%(answer)s” to “%(question)s”.")
            % {"answer": a.answer, "question": a.question}
            for a in positive
        ]
        return RiskNote(
            heading=_("You are not alone"),
            lines=(
                *told,
                _("Your care team has been told and will contact you."),
                _("If you might act on these thoughts now, get help straight away."),
                _(
                    "Call your local emergency number, or go to the nearest hospital emergency "
                    "department."
                ),
            ),
            urgent=True,
        )
    if skipped:
        not_answered = [
            _("You did not answer “%(question)s”. That is all right.") % {"question": a.question}
            for a in skipped
        ]
        return RiskNote(
            heading=_("A question about your safety was not answered"),
            lines=(
                *not_answered,
                _(
                    "This question is about your safety. So we have told your care team that it "
                    "was not answered. They will check in with you."
                ),
                _("If you are having thoughts of harming yourself now, get help straight away."),
                _(
                    "Call your local emergency number, or go to the nearest hospital emergency "
                    "department."
                ),
            ),
            urgent=False,
        )
    if assessment.risk_flags:  # a flag whose item is unknown: say nothing untrue, still help
        return RiskNote(
            heading=_("You are not alone"),
            lines=(_("Your care team has been told about your answers and will contact you."),),
            urgent=True,
        )
    return None


# --- The care team's view -----------------------------------------------------------------


def risk_flag_labels(assessment: Assessment) -> list[str]:
    """'Q9: “Several days”' / 'Q9: not answered' for each flagged item (never "None")."""
    labels = [
        f"Q{a.link_id}: "
        + (f"“{a.answer}”" if a.state != AnswerState.NOT_ANSWERED else "not answered")
        for a in risk_item_answers(assessment)
    ]
    if labels:
        return labels
    return [
        _flag_fallback(flag) for flag in assessment.risk_flags or [] if isinstance(flag, Mapping)
    ]


def _flag_fallback(flag: Mapping[str, object]) -> str:
    value = flag.get("value")
    answer = "not answered" if value is None else str(value)
    return f"Q{flag.get('item', '?')}: {answer}"


def score_text(assessment: Assessment) -> str:
    """The total for a table cell, or why there is none (never empty, never "None")."""
    if assessment.score_total is not None:
        total = f"{round(assessment.score_total, 1):g}"
        return total + (" (prorated)" if assessment.prorated else "")
    if assessment.instrument_id == "cssrs_screener":
        return f"risk level {cssrs_level(assessment)}"
    missing = list(getattr(assessment, "missing_items", None) or [])
    if missing:
        names = [str(m) for m in missing]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"not scored: question{'s' if len(names) > 1 else ''} {listed} not answered"
    return "not scored"


def cssrs_level(assessment: Assessment) -> str:
    """The C-SSRS screener's risk level from its stored flag ("none" when no question was yes).
    Levels and their sources: instruments/scoring/cssrs_screener.py, clinical_spec.md §13."""
    for flag in assessment.risk_flags or []:
        code = str(flag.get("code", "")) if isinstance(flag, Mapping) else ""
        if code.startswith("cssrs_"):
            return code.removeprefix("cssrs_")
    return "none"


# --- What comes next: the follow-up questionnaire after a risk answer ---------------------------


@dataclass(frozen=True)
class FollowUpLink:
    """The questionnaire offered after this result (e.g. the C-SSRS screener after a positive
    PHQ-9 item 9), as the result page shows it."""

    title: str
    path: str
    answered: bool


FollowUpReader = Callable[["Assessment"], "FollowUpLink | None"]
_follow_up_readers: dict[str, FollowUpReader] = {}


def read_follow_ups_with(name: str, reader: FollowUpReader) -> None:
    """Monitoring (which records follow-up offers) registers its reader from AppConfig.ready(),
    so this domain shows the offer without importing a higher one."""
    _follow_up_readers[name] = reader


def follow_up_after(assessment: Assessment) -> FollowUpLink | None:
    for reader in _follow_up_readers.values():
        if (link := reader(assessment)) is not None:
            return link
    return None
