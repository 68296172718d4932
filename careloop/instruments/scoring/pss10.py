"""PSS-10: ten items scored 0–4 (total 0–40); items 4, 5, 7 and 8 are reverse-keyed.

Response value = the printed scale value (0 Never ... 4 Very often); for items 4, 5, 7, 8 the
item score is 4 - value. Every item must be answered. The bands are non-official.
All numbers: /work/shared/reference/clinical_spec.md §14.
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

INSTRUMENT_ID = "pss10"
VERSION = "1.0.0"
LABEL = "PSS-10"

# Reverse-keyed items 4, 5, 7, 8 (PMC4481047 table T0006).
REVERSE_KEYED_ITEMS = (4, 5, 7, 8)
ITEMS: tuple[ItemScale, ...] = tuple(
    ItemScale(frozenset(range(5)), reverse_from=4 if n in REVERSE_KEYED_ITEMS else None)
    for n in range(1, 11)
)

# Non-official bands 0–13 low, 14–26 moderate, 27–40 high (bio-protocol.org); the developers
# published no official cut-offs.
BANDS: _common.Bands = ((27, "high"), (14, "moderate"), (0, "low"))


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Reverse-key items 4, 5, 7 and 8, sum, and place the total in a non-official band."""
    scores = _common.complete_item_scores(LABEL, answers, ITEMS)
    total = _common.answered_sum(scores)
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=_common.band_for(total, BANDS),
        caseness=None,
        extras={
            "max_total": 40,
            "item_scores": scores,
            "reverse_keyed_items": REVERSE_KEYED_ITEMS,
            "band_source": "non-official bands (bio-protocol.org); the PSS developers "
            "published no cut-offs",
        },
    )


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
