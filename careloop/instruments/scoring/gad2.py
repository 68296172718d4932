"""GAD-2: GAD-7 items 1–2, scored 0–3, total 0–6.

No verified missing-item rule, so both items must be answered.
All numbers: /work/shared/reference/clinical_spec.md §5.
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

INSTRUMENT_ID = "gad2"
VERSION = "1.0.0"
LABEL = "GAD-2"
ITEMS: tuple[ItemScale, ...] = (ItemScale(frozenset(range(4))),) * 2

# >= 3, sensitivity 0.86 / specificity 0.83 (help.yourcabana.com, secondary; primary
# Kroenke et al. 2007 Ann Intern Med 146:317).
CASENESS_THRESHOLD = 3


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
            "caseness_rule": "GAD-2 >= 3 (Kroenke et al. 2007, via a secondary source; §5)",
        },
    )


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
