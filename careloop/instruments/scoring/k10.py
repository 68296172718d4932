"""K10: ten distress items scored 1–5 (Australian scoring), total 10–50.

The spec's K10 missing-data rule is UNVERIFIED, so every item must be answered.
All numbers: /work/shared/reference/clinical_spec.md §10.
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

INSTRUMENT_ID = "k10"
VERSION = "1.0.0"
LABEL = "K10"
# Australian scoring: None of the time = 1 ... All of the time = 5 (abs.gov.au).
ITEMS: tuple[ItemScale, ...] = (ItemScale(frozenset(range(1, 6))),) * 10

# Australian Bureau of Statistics bands: 10–15 low, 16–21 moderate, 22–29 high, 30–50 very high.
BANDS: _common.Bands = ((30, "very high"), (22, "high"), (16, "moderate"), (10, "low"))
BAND_SOURCE = "Australian Bureau of Statistics (abs.gov.au), clinical_spec.md §10"
# Primary-care monitoring bands (CRUfAD; medcalcu.com and dqref.com, both secondary).
PRIMARY_CARE_BANDS: _common.Bands = (
    (30, "likely severe disorder"),
    (25, "likely moderate disorder"),
    (20, "likely mild disorder"),
    (10, "likely to be well"),
)


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Sum the ten items and place the total in the ABS band."""
    total = _common.answered_sum(_common.complete_item_scores(LABEL, answers, ITEMS))
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=_common.band_for(total, BANDS),
        caseness=None,
        extras={
            "min_total": 10,
            "max_total": 50,
            "band_source": BAND_SOURCE,
            "primary_care_band": _common.band_for(total, PRIMARY_CARE_BANDS),
            "primary_care_band_source": "CRUfAD primary-care bands (secondary sources; "
            "for monitoring, not diagnosis)",
        },
    )


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
