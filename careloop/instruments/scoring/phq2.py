"""PHQ-2: PHQ-9 items 1–2, scored 0–3, total 0–6; a positive screen leads to the PHQ-9.

No verified missing-item rule, so both items must be answered.
All numbers: /work/shared/reference/clinical_spec.md §3.
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

INSTRUMENT_ID = "phq2"
VERSION = "1.0.0"
LABEL = "PHQ-2"
ITEMS: tuple[ItemScale, ...] = (ItemScale(frozenset(range(4))),) * 2

# Positive screen, administer PHQ-9: >= 3 (hindawi.com cpn/2013/695925/tab1).
CASENESS_THRESHOLD = 3
# More sensitive cut-off: >= 2 (sensitivity 0.86, specificity 0.78; PMC2906530).
SENSITIVE_THRESHOLD = 2


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Sum the two items; >= 3 is a positive screen."""
    total = _common.answered_sum(_common.complete_item_scores(LABEL, answers, ITEMS))
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=None,
        caseness=total >= CASENESS_THRESHOLD,
        extras={
            "max_total": 6,
            "caseness_rule": "PHQ-2 >= 3: positive screen, administer the PHQ-9 (§3)",
            "sensitive_cutoff_met": total >= SENSITIVE_THRESHOLD,
            "sensitive_cutoff_rule": "PHQ-2 >= 2 (PMC2906530; more sensitive, less specific)",
        },
    )


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
