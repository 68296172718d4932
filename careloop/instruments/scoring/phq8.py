"""PHQ-8: PHQ-9 without item 9 (and without the difficulty item); eight items 0–3, total 0–24.

No risk item and no verified missing-item rule, so every item must be answered.
All numbers: /work/shared/reference/clinical_spec.md §2.
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

INSTRUMENT_ID = "phq8"
VERSION = "1.0.0"
LABEL = "PHQ-8"
ITEMS: tuple[ItemScale, ...] = (ItemScale(frozenset(range(4))),) * 8

# Kroenke et al. 2009 (J Affect Disord 114:163) via CamCOPS phq8.rst: >= 10.
CASENESS_THRESHOLD = 10
# The spec applies the PHQ-9 bands to PHQ-8 but marks them UNVERIFIED for PHQ-8, so this band
# is reported only as extras["band_unverified"], never as `band`.
UNVERIFIED_BANDS: _common.Bands = (
    (20, "severe"),
    (15, "moderately severe"),
    (10, "moderate"),
    (5, "mild"),
    (0, "minimal"),
)


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Sum the eight items; caseness at >= 10."""
    total = _common.answered_sum(_common.complete_item_scores(LABEL, answers, ITEMS))
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=None,
        caseness=total >= CASENESS_THRESHOLD,
        extras={
            "max_total": 24,
            "caseness_rule": "PHQ-8 >= 10 (Kroenke et al. 2009, via CamCOPS phq8.rst)",
            "band_unverified": _common.band_for(total, UNVERIFIED_BANDS),
            "unverified": ("band: the PHQ-9 bands are UNVERIFIED for PHQ-8",),
            "has_risk_item": False,
        },
    )


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
