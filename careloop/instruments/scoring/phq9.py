"""PHQ-9: nine depression items scored 0–3 (total 0–27) plus an unscored difficulty item.

Answers: items 1–9 in order, optionally followed by the difficulty item (10), values 0–3.
Up to two of items 1–9 may be missing; the total is then prorated (see PRORATION_RULE).
All numbers: /work/shared/reference/clinical_spec.md §1.
"""

from __future__ import annotations

from careloop.instruments.scoring import _common
from careloop.instruments.scoring.errors import IncompleteAnswers
from careloop.instruments.scoring.types import (
    Answers,
    InstrumentScorer,
    ItemScale,
    RiskFlag,
    ScoreResult,
    ScoringContext,
    Severity,
    Total,
)

INSTRUMENT_ID = "phq9"
VERSION = "1.0.0"
LABEL = "PHQ-9"

SCORED_ITEM_COUNT = 9
ITEMS: tuple[ItemScale, ...] = (ItemScale(frozenset(range(4))),) * SCORED_ITEM_COUNT + (
    ItemScale(frozenset(range(4)), scored=False),  # item 10, difficulty: never added
)

# Kroenke, Spitzer & Williams 2001 (JGIM 16:606) and LOINC LL382-3: 0–4, 5–9, 10–14, 15–19, 20–27.
BANDS: _common.Bands = (
    (20, "severe"),
    (15, "moderately severe"),
    (10, "moderate"),
    (5, "mild"),
    (0, "minimal"),
)
BAND_SOURCE = "Kroenke, Spitzer & Williams 2001 (JGIM 16:606); LOINC LL382-3"

# NHS Talking Therapies caseness: PHQ-9 >= 10 (clinical_spec.md §1 cutoffs and §15, secondary).
CASENESS_THRESHOLD = 10
CASENESS_RULE = "PHQ-9 >= 10 (NHS Talking Therapies caseness; clinical_spec.md §1, §15)"

# Arrieta et al. 2017, J Clin Psychol, doi:10.1002/jclp.22390, as quoted (secondary) by the
# qscorer docs: <= 2 of items 1–9 missing -> mean of answered items x 9; >= 3 -> no score.
MAX_MISSING = 2
PRORATION_RULE = (
    "<= 2 of items 1–9 missing: total = mean of answered items x 9 (Arrieta et al. 2017, "
    "J Clin Psychol, doi:10.1002/jclp.22390, via qscorer docs, secondary); "
    "rounding UNVERIFIED, so the unrounded value is kept"
)

RISK_ITEM = 9
# Trigger: item 9 (44260-8) >= 1. clinical_spec.md §1 safety: platform policy (common clinical
# convention); the PHQ manual's own wording on item 9 is UNVERIFIED. Severity "high" is platform
# policy: the spec's action is same-day clinician review.
RISK_SOURCE = (
    "clinical_spec.md §1 safety: item 9 >= 1 -> same-day clinician review (platform policy; "
    "PHQ manual wording UNVERIFIED)"
)
MISSING_RISK_SOURCE = (
    "platform design choice, not in clinical_spec.md (UNVERIFIED): an unanswered risk item "
    "is never assumed negative"
)


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Sum items 1–9 (prorating up to two missing), band the total and flag item 9."""
    values = _common.check_answers(LABEL, answers, ITEMS, omittable_trailing=1)
    scores = _common.item_scores(values, ITEMS)[:SCORED_ITEM_COUNT]
    missing = _common.missing_positions(values, ITEMS)
    if len(missing) > MAX_MISSING:
        # Not scored (clinical_spec.md §1 missing_data: ">= 3 missing: do not score"), but an
        # answered item 9 still travels with the error so its alert is raised (HZ-017).
        raise IncompleteAnswers(
            f"{LABEL}: {_common.describe_items(missing)} missing; at most {MAX_MISSING} of "
            "items 1–9 may be missing for a prorated score (Arrieta et al. 2017)",
            missing,
            _risk_flags(values[RISK_ITEM - 1]),
        )
    prorated = bool(missing)
    total: Total = (
        _common.prorate(scores, SCORED_ITEM_COUNT) if prorated else _common.answered_sum(scores)
    )
    extras: dict[str, object] = {
        "max_total": 27,
        "item_scores": scores,
        "missing_items": missing,
        "difficulty": values[SCORED_ITEM_COUNT],
        "band_source": BAND_SOURCE,
        "caseness_rule": CASENESS_RULE,
    }
    if prorated:
        extras["unverified"] = (
            "proration rounding: no source found; band and caseness use the unrounded total",
        )
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=_common.band_for(total, BANDS),
        caseness=total >= CASENESS_THRESHOLD,
        risk_flags=_risk_flags(values[RISK_ITEM - 1]),
        prorated=prorated,
        proration_rule=PRORATION_RULE if prorated else None,
        extras=extras,
    )


def _risk_flags(item9: int | None) -> tuple[RiskFlag, ...]:
    if item9 is None:
        return (
            RiskFlag(
                "phq9_item9_missing", str(RISK_ITEM), None, Severity.MODERATE, MISSING_RISK_SOURCE
            ),
        )
    if item9 > 0:
        return (RiskFlag("phq9_item9_positive", str(RISK_ITEM), item9, Severity.HIGH, RISK_SOURCE),)
    return ()


SCORER = InstrumentScorer(
    instrument_id=INSTRUMENT_ID,
    version=VERSION,
    label=LABEL,
    items=ITEMS,
    score=score,
    omittable_trailing_items=1,
)
