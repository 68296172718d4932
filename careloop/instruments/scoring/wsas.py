"""WSAS: five impairment items scored 0–8, total 0–40 (0–32 when item 1, work, is N/A).

Item 1 may be None, meaning "not applicable" (retired, or not working for reasons unrelated
to the problem); items 2–5 must be answered.
All numbers: /work/shared/reference/clinical_spec.md §12.
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

INSTRUMENT_ID = "wsas"
VERSION = "1.0.0"
LABEL = "WSAS"
_SCALE = frozenset(range(9))
ITEMS: tuple[ItemScale, ...] = (ItemScale(_SCALE, not_applicable_allowed=True),) + (
    ItemScale(_SCALE),
) * 4

# Range 0–40, or 0–32 with item 1 excluded (CamCOPS wsas.py MAX_IF_RETIRED = 8 * 4).
MAX_TOTAL = 40
MAX_TOTAL_ITEM1_NOT_APPLICABLE = 32
# Mundt et al. 2002 (Br J Psychiatry 180:461): > 20 moderately severe or worse psychopathology;
# 10–20 significant functional impairment; < 10 subclinical.
BANDS: _common.Bands = (
    (21, "moderately severe or worse"),
    (10, "significant functional impairment"),
    (0, "subclinical"),
)
BAND_SOURCE = "Mundt et al. 2002 (Br J Psychiatry 180:461), clinical_spec.md §12"


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Sum the answered items; item 1 may be not applicable, which changes the maximum."""
    values = _common.check_answers(LABEL, answers, ITEMS)
    _common.require_complete(LABEL, values, ITEMS)
    total = _common.answered_sum(_common.item_scores(values, ITEMS))
    work_not_applicable = values[0] is None
    band = _common.band_for(total, BANDS)
    extras: dict[str, object] = {
        "item1_not_applicable": work_not_applicable,
        "max_total": MAX_TOTAL_ITEM1_NOT_APPLICABLE if work_not_applicable else MAX_TOTAL,
        "band_source": BAND_SOURCE,
    }
    if work_not_applicable:
        # The Mundt bands were described for the 0–40 scale; whether they hold for 0–32 is
        # not in the spec, so the band is reported only as unverified.
        extras["band_unverified"] = band
        extras["unverified"] = ("band: Mundt bands are not verified for the 0–32 range",)
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=None if work_not_applicable else band,
        caseness=None,
        extras=extras,
    )


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
