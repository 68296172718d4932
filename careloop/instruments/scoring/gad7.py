"""GAD-7: seven anxiety items scored 0–3 (total 0–21) plus an unscored difficulty item.

Answers: items 1–7 in order, optionally followed by the difficulty item (8), values 0–3.
No missing item is allowed: the spec's GAD-7 missing-data rule is UNVERIFIED (a suggested
design choice only), so a missing item raises InvalidAnswers.
All numbers: /work/shared/reference/clinical_spec.md §4.
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

INSTRUMENT_ID = "gad7"
VERSION = "1.0.0"
LABEL = "GAD-7"

SCORED_ITEM_COUNT = 7
ITEMS: tuple[ItemScale, ...] = (ItemScale(frozenset(range(4))),) * SCORED_ITEM_COUNT + (
    ItemScale(frozenset(range(4)), scored=False),  # item 8, difficulty: never added
)

# Kroenke et al. 2007 (Ann Intern Med), abstract: "scores of 5, 10, and 15 indicated mild,
# moderate, and severe" — clinical_spec.md §4 severity_bands.
BANDS: _common.Bands = ((15, "severe"), (10, "moderate"), (5, "mild"), (0, "minimal"))
BAND_SOURCE = "Kroenke et al. 2007 (Ann Intern Med); clinical_spec.md §4"

# NHS Talking Therapies caseness: GAD-7 >= 8 (clinical_spec.md §4 cutoffs and §15, secondary).
CASENESS_THRESHOLD = 8
CASENESS_RULE = "GAD-7 >= 8 (NHS Talking Therapies caseness; clinical_spec.md §4, §15)"

# Spitzer et al. 2006 via CamCOPS gad7.rst: >= 10 for generalised anxiety disorder.
GAD_THRESHOLD = 10


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Sum items 1–7, band the total and apply the NHS TT caseness cut-off."""
    values = _common.check_answers(LABEL, answers, ITEMS, omittable_trailing=1)
    _common.require_complete(LABEL, values, ITEMS)
    scores = _common.item_scores(values, ITEMS)[:SCORED_ITEM_COUNT]
    total = _common.answered_sum(scores)
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=_common.band_for(total, BANDS),
        caseness=total >= CASENESS_THRESHOLD,
        extras={
            "max_total": 21,
            "item_scores": scores,
            "difficulty": values[SCORED_ITEM_COUNT],
            "gad_cutoff_met": total >= GAD_THRESHOLD,
            "gad_cutoff_rule": "GAD-7 >= 10 (Spitzer et al. 2006, via CamCOPS gad7.rst)",
            "band_source": BAND_SOURCE,
            "caseness_rule": CASENESS_RULE,
        },
    )


SCORER = InstrumentScorer(
    instrument_id=INSTRUMENT_ID,
    version=VERSION,
    label=LABEL,
    items=ITEMS,
    score=score,
    omittable_trailing_items=1,
)
