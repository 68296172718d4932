"""WHO-5 Well-Being Index: five items scored 0–5; raw total 0–25, percentage = raw x 4.

Higher is better (the opposite direction to PHQ/GAD). `total` is the raw score; the
percentage is in extras. The spec's missing-data rule is UNVERIFIED, so every item must be
answered. All numbers: /work/shared/reference/clinical_spec.md §6.
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

INSTRUMENT_ID = "who5"
VERSION = "1.0.0"
LABEL = "WHO-5"
ITEMS: tuple[ItemScale, ...] = (ItemScale(frozenset(range(6))),) * 5

# Percentage = raw x 4 (help.valant.io WHO-5 page).
PERCENTAGE_FACTOR = 4
# Poor well-being, screen for depression: raw < 13, i.e. percentage <= 48 (help.valant.io).
POOR_WELLBEING_BELOW = 13
# Any item scored 0 or 1 -> administer a depression inventory (medicalalgorithms.com WHO-5 page).
LOW_ITEM_AT_MOST = 1
# Deliberately not implemented: "percentage <= 28 likely depression" is UNVERIFIED in the spec.


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Sum the five items; caseness = poor well-being (raw < 13)."""
    scores = _common.complete_item_scores(LABEL, answers, ITEMS)
    total = _common.answered_sum(scores)
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=None,
        caseness=total < POOR_WELLBEING_BELOW,
        extras={
            "max_total": 25,
            "percentage": total * PERCENTAGE_FACTOR,
            "higher_is_better": True,
            "caseness_rule": "raw < 13 (percentage <= 48): poor well-being, screen for "
            "depression (help.valant.io, clinical_spec.md §6)",
            "any_item_0_or_1": any(s is not None and s <= LOW_ITEM_AT_MOST for s in scores),
            "any_item_0_or_1_rule": "any item 0 or 1: administer a depression inventory "
            "(medicalalgorithms.com, clinical_spec.md §6)",
        },
    )


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
