"""AUDIT-C: AUDIT items 1–3, each scored 0–4, total 0–12, with sex-specific cut-offs.

The cut-off depends on sex (>= 4 men, >= 3 women), so the sex used is stored with the result.
With no sex given, caseness is None (undetermined) and both cut-offs are reported in extras,
so a caller can make its own, explicit, conservative choice.
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
    Sex,
)

INSTRUMENT_ID = "audit_c"
VERSION = "1.0.0"
LABEL = "AUDIT-C"
ITEMS: tuple[ItemScale, ...] = (ItemScale(frozenset(range(5))),) * 3

# US/VA cut-offs, positive for hazardous drinking or active AUD: men >= 4, women >= 3
# (loinc.org/75626-2 citing PMID 12695273; primarycare.ementalhealth.ca).
CUTOFFS = {Sex.MALE: 4, Sex.FEMALE: 3}
CUTOFF_SOURCE = "loinc.org/75626-2 (PMID 12695273); clinical_spec.md §8"


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Sum the three items and apply the cut-off for the given sex (None when sex unknown)."""
    scores = _common.complete_item_scores(LABEL, answers, ITEMS)
    total = _common.answered_sum(scores)
    sex = context.sex
    extras: dict[str, object] = {
        "max_total": 12,
        "sex_used": sex.value if sex is not None else None,
        "cutoff_used": CUTOFFS[sex] if sex is not None else None,
        "meets_male_cutoff": total >= CUTOFFS[Sex.MALE],
        "meets_female_cutoff": total >= CUTOFFS[Sex.FEMALE],
        "cutoff_source": CUTOFF_SOURCE,
        # LOINC 75626-2: if all points come from item 1 the patient is likely drinking
        # within limits.
        "all_points_from_item1": total > 0 and scores[1] == 0 and scores[2] == 0,
    }
    if sex is None:
        extras["caseness_note"] = (
            "sex not given: the AUDIT-C cut-off is sex-specific (>= 4 men, >= 3 women), so "
            "caseness is undetermined; see meets_male_cutoff and meets_female_cutoff"
        )
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=None,
        caseness=total >= CUTOFFS[sex] if sex is not None else None,
        extras=extras,
    )


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
