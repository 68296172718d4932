"""C-SSRS screener (recent): six yes/no questions plus 6b; no total, a risk level instead.

Answers, in item order: Q1, Q2, Q3, Q4, Q5, Q6, Q6b; 1 = yes, 0 = no, None = not asked.
Branching (Columbia screener): Q1, Q2 and Q6 are always asked; Q3–Q5 only when Q2 is yes;
Q6b only when Q6 is yes. A question the branching requires but is None raises
IncompleteAnswers (carrying the flags of the questions that were answered).
Questions answered outside the branching still count: a "yes" is never ignored.
All rules: /work/shared/reference/clinical_spec.md §13.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from careloop.instruments.scoring import _common
from careloop.instruments.scoring.errors import IncompleteAnswers, InvalidAnswers
from careloop.instruments.scoring.types import (
    Answers,
    InstrumentScorer,
    ItemScale,
    RiskFlag,
    ScoreResult,
    ScoringContext,
    Severity,
)

INSTRUMENT_ID = "cssrs_screener"
VERSION = "1.0.0"
LABEL = "C-SSRS screener"
LINK_IDS = ("1", "2", "3", "4", "5", "6", "6b")
ITEMS: tuple[ItemScale, ...] = (ItemScale(frozenset({0, 1}), scored=False),) * len(LINK_IDS)
YES = 1

RiskLevel = Literal["none", "low", "moderate", "high"]
# clinical_spec.md §13 risk_levels. High: cssrs.columbia.edu triage page (official, "most
# worrisome": recent yes to 4 or 5 and/or behaviour in the past 3 months). Moderate (Q3, or
# lifetime behaviour more than 3 months ago) and low (Q1 and/or Q2 only): secondary sources
# (therapistsupport.rula.com; help.blueprint-health.com).
RISK_SOURCE = (
    "clinical_spec.md §13: high per cssrs.columbia.edu triage; moderate and low tiers per "
    "secondary sources (rula, blueprint-health)"
)


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Check the branching, then take the risk level from the most severe 'yes'."""
    values = _common.check_answers(LABEL, answers, ITEMS)
    answered = dict(zip(LINK_IDS, values, strict=True))
    level, trigger = _risk_level(answered)
    flags = (
        (RiskFlag(f"cssrs_{level}", trigger, YES, Severity(level), RISK_SOURCE),)
        if level != "none" and trigger is not None
        else ()
    )
    _check_branching(answered, flags)
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=None,
        band=None,
        caseness=None,
        risk_flags=flags,
        extras={
            "risk_level": level,
            "positive_items": tuple(link for link, value in answered.items() if value == YES),
            "risk_level_source": RISK_SOURCE,
        },
    )


def _check_branching(answered: Mapping[str, int | None], flags: tuple[RiskFlag, ...]) -> None:
    """Refuse a skipped required question; the error carries the level of the answered "yes"
    (a lower bound: Q4 "yes" with Q3 blank is already high), so it is still alerted (HZ-017)."""
    required = ["1", "2", "6"]
    if answered["2"] == YES:
        required += ["3", "4", "5"]
    if answered["6"] == YES:
        required.append("6b")
    missing = [link for link in required if answered[link] is None]
    if missing:
        raise IncompleteAnswers(
            f"{LABEL}: question(s) {', '.join(missing)} must be answered "
            "(Q1, Q2, Q6 always; Q3–Q5 when Q2 is yes; Q6b when Q6 is yes)",
            tuple(LINK_IDS.index(link) + 1 for link in missing),
            flags,
        )
    if answered["6b"] == YES and answered["6"] != YES:
        raise InvalidAnswers(
            f"{LABEL}: question 6b (within the past 3 months) is yes but question 6 "
            "(ever done anything to end your life) is not"
        )


def _risk_level(answered: Mapping[str, int | None]) -> tuple[RiskLevel, str | None]:
    """Return the level and the linkId of the first question that set it."""
    tiers: tuple[tuple[RiskLevel, tuple[str, ...]], ...] = (
        ("high", ("4", "5", "6b")),
        ("moderate", ("3", "6")),
        ("low", ("1", "2")),
    )
    for level, links in tiers:
        for link in links:
            if answered[link] == YES:
                return level, link
    return "none", None


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
