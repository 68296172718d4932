"""AUDIT: ten alcohol items; items 1–8 score 0–4, items 9–10 only 0, 2 or 4; total 0–40.

Skip logic (CamCOPS audit.py, treated as complete): when item 1 is 0 ("Never"), items 2–8 may
be left unanswered; when items 2 and 3 are both 0, items 4–8 may be left unanswered. Skipped
items score 0. Any other missing item raises InvalidAnswers.
All numbers: /work/shared/reference/clinical_spec.md §8.
"""

from __future__ import annotations

from careloop.instruments.scoring import _common
from careloop.instruments.scoring.types import (
    Answers,
    InstrumentScorer,
    ItemScale,
    ScoreResult,
    ScoringContext,
)

INSTRUMENT_ID = "audit"
VERSION = "1.0.0"
LABEL = "AUDIT"
# Items 9–10: 0, 2, 4 only (No / Yes, but not in the last year / Yes, during the last year)
# — CamCOPS audit.py, clinical_spec.md §8.
ITEMS: tuple[ItemScale, ...] = (ItemScale(frozenset(range(5))),) * 8 + (
    ItemScale(frozenset({0, 2, 4})),
) * 2

# WHO 2001 manual (Babor et al., WHO/MSD/MSB/01.6a) risk zones, as quoted by
# comorbidityguidelines.org.au and aarogya.com.
ZONES: _common.Bands = ((20, "IV"), (16, "III"), (8, "II"), (0, "I"))
ZONE_ORDER = ("I", "II", "III", "IV")
# Hazardous drinking: total >= 8 (r.details.loinc.org 75624-7).
HAZARDOUS_THRESHOLD = 8
# Next-higher intervention when Q4, Q5 or Q6 >= 2, or Q9 or Q10 = 4 (WHO manual, as quoted by
# comorbidityguidelines.org.au).
ESCALATION_ITEMS_AT_LEAST_2 = (4, 5, 6)
ESCALATION_ITEMS_EQUAL_4 = (9, 10)
# Possible dependence hint: sum of items 4–6 >= 4 (medicareinformatics.com, secondary).
DEPENDENCE_HINT_THRESHOLD = 4


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Apply the skip logic, sum the items, and place the total in its WHO zone."""
    values = _common.check_answers(LABEL, answers, ITEMS)
    skipped = _skipped_items(values)
    filled = tuple(0 if i in skipped else v for i, v in enumerate(values, start=1))
    _common.require_complete(LABEL, filled, ITEMS)
    scores = [s for s in _common.item_scores(filled, ITEMS) if s is not None]
    total = sum(scores)
    zone = _common.band_for(total, ZONES)
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=f"zone {zone}",
        caseness=total >= HAZARDOUS_THRESHOLD,
        extras={
            "max_total": 40,
            "zone": zone,
            "intervention_zone": _intervention_zone(zone, scores),
            "zone_source": "WHO AUDIT manual 2001 (Babor et al.), clinical_spec.md §8",
            "caseness_rule": "AUDIT >= 8: hazardous drinking (LOINC 75624-7)",
            "skipped_items": skipped,
            "possible_dependence_hint": sum(scores[3:6]) >= DEPENDENCE_HINT_THRESHOLD,
            "possible_dependence_rule": "items 4–6 sum >= 4 (medicareinformatics.com, secondary)",
        },
    )


def _skipped_items(values: _common.Values) -> tuple[int, ...]:
    """Items left blank that the AUDIT skip logic allows to be skipped (1-based)."""
    if values[0] == 0:
        skippable = range(2, 9)
    elif values[1] == 0 and values[2] == 0:
        skippable = range(4, 9)
    else:
        return ()
    return tuple(i for i in skippable if values[i - 1] is None)


def _intervention_zone(zone: str, scores: list[int]) -> str:
    """Move one zone up when any escalation item fires (never above zone IV)."""
    escalate = any(scores[i - 1] >= 2 for i in ESCALATION_ITEMS_AT_LEAST_2) or any(
        scores[i - 1] == 4 for i in ESCALATION_ITEMS_EQUAL_4
    )
    index = ZONE_ORDER.index(zone)
    return ZONE_ORDER[min(index + 1, len(ZONE_ORDER) - 1)] if escalate else zone


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
