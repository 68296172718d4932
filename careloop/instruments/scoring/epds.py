"""EPDS: ten items scored 0–3 (total 0–30); items 3 and 5–10 are reverse-keyed.

Response value = 0-based position of the chosen option in the printed order (0 = top).
Printed options run 0-1-2-3 top-to-bottom on items 1, 2 and 4 and 3-2-1-0 on items 3 and
5–10, so for those the item score is 3 - position. Every item must be answered.
Licence-gated (RCPsych): the definition ships disabled and without item text; scoring works.
All numbers: /work/shared/reference/clinical_spec.md §9.
"""

from __future__ import annotations

from careloop.instruments.scoring import _common
from careloop.instruments.scoring.types import (
    Answers,
    InstrumentScorer,
    ItemScale,
    RiskFlag,
    ScoreResult,
    ScoringContext,
    Severity,
)

INSTRUMENT_ID = "epds"
VERSION = "1.0.0"
LABEL = "EPDS"

# Reverse-keyed items 3, 5–10; normal items 1, 2, 4 (docs.rs clincalc epds.rs; pdf4pro EPDS form).
REVERSE_KEYED_ITEMS = (3, 5, 6, 7, 8, 9, 10)
ITEMS: tuple[ItemScale, ...] = tuple(
    ItemScale(frozenset(range(4)), reverse_from=3 if n in REVERSE_KEYED_ITEMS else None)
    for n in range(1, 11)
)

# Cox et al. 1987 (PMID 3651732) via CamCOPS epds.py: >= 10 possible, >= 13 probable depression.
POSSIBLE_DEPRESSION_THRESHOLD = 10
PROBABLE_DEPRESSION_THRESHOLD = 13
BANDS: _common.Bands = (
    (PROBABLE_DEPRESSION_THRESHOLD, "probable depression"),
    (POSSIBLE_DEPRESSION_THRESHOLD, "possible depression"),
)

RISK_ITEM = 10
# Item 10 score >= 1 (any answer other than "Never"), independent of the total (clincalc epds.rs).
RISK_SOURCE = "clinical_spec.md §9 safety: item 10 score >= 1, independent of total (clincalc)"


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Reverse-key items 3 and 5–10, sum, and flag any self-harm thoughts on item 10."""
    values = _common.check_answers(LABEL, answers, ITEMS)
    flags = _risk_flags(_common.item_scores(values, ITEMS)[RISK_ITEM - 1])
    # clinical_spec.md §9 gives no missing-item rule: an incomplete EPDS is not scored, but an
    # answered item 10 travels with the error so its alert is still raised (HZ-017).
    _common.require_complete(LABEL, values, ITEMS, flags)
    scores = [s for s in _common.item_scores(values, ITEMS) if s is not None]
    total = sum(scores)
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=_band(total),
        caseness=total >= POSSIBLE_DEPRESSION_THRESHOLD,
        risk_flags=flags,
        extras={
            "max_total": 30,
            "item_scores": tuple(scores),
            "reverse_keyed_items": REVERSE_KEYED_ITEMS,
            "caseness_rule": "EPDS >= 10: possible depression (Cox 1987, via CamCOPS epds.py)",
            "band_note": "no band below 10; >= 10 possible, >= 13 probable depression",
        },
    )


def _risk_flags(item10_score: int | None) -> tuple[RiskFlag, ...]:
    """Item 10 judged by its item SCORE (reverse-keyed: position 0 'Yes, quite often' = 3)."""
    if item10_score is not None and item10_score >= 1:
        return (
            RiskFlag(
                "epds_item10_positive", str(RISK_ITEM), item10_score, Severity.HIGH, RISK_SOURCE
            ),
        )
    return ()


def _band(total: int) -> str | None:
    if total < POSSIBLE_DEPRESSION_THRESHOLD:
        return None
    return _common.band_for(total, BANDS)


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
