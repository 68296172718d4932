"""CORE-10: ten items scored 0–4 (clinical score 0–40); items 2 and 3 are reverse-keyed.

Response value = the printed scale value (0 Not at all ... 4 Most or all of the time); for
items 2 and 3 the item score is 4 - value. Exactly one missing item is prorated (mean of the
nine answered items x 10); more than one raises InvalidAnswers.
All numbers: /work/shared/reference/clinical_spec.md §11.
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

INSTRUMENT_ID = "core10"
VERSION = "1.0.0"
LABEL = "CORE-10"
ITEM_COUNT = 10

# Reverse-keyed items 2 and 3 (CamCOPS core10.py COMMENT_REVERSED; novopsych.com.au). One
# secondary source says 3 and 4; the spec treats 2 and 3 as correct (two independent sources).
REVERSE_KEYED_ITEMS = (2, 3)
ITEMS: tuple[ItemScale, ...] = tuple(
    ItemScale(frozenset(range(5)), reverse_from=4 if n in REVERSE_KEYED_ITEMS else None)
    for n in range(1, ITEM_COUNT + 1)
)

# coresystemtrust.org.uk "What's in a name 1: scoring CORE measures": exactly one missing item
# -> mean of the nine answered x 10; more than one -> do not score.
MAX_MISSING = 1
PRORATION_RULE = (
    "exactly 1 item missing: clinical score = mean of the 9 answered items x 10 "
    "(coresystemtrust.org.uk, scoring CORE measures); unrounded"
)
# Clinical cut-off >= 11 (novopsych.com.au; socasresourcehub.com).
CASENESS_THRESHOLD = 11
# Depression cut-off >= 13, sensitivity 0.92 / specificity 0.72 (novopsych.com.au).
DEPRESSION_THRESHOLD = 13
# Severity bands: two secondary sources conflict and the manual was not retrieved (UNVERIFIED).
# Version A (matches CORE-OM banding per two sources) is reported only in extras.
UNVERIFIED_BANDS: _common.Bands = (
    (25, "severe"),
    (20, "moderate-to-severe"),
    (15, "moderate"),
    (11, "mild"),
    (6, "low"),
    (0, "healthy"),
)

RISK_ITEM = 6
# Item 6 ("made plans to end my life") >= 1: item content per CamCOPS core10.py ("Q6
# (suicidality)"); the action is platform policy. Severity "high" is platform policy.
RISK_SOURCE = "clinical_spec.md §11 safety: item 6 >= 1 (CamCOPS core10.py: Q6 suicidality)"
MISSING_RISK_SOURCE = (
    "platform design choice, not in clinical_spec.md (UNVERIFIED): an unanswered risk item "
    "is never assumed negative"
)


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Reverse-key items 2 and 3, sum (prorating one missing item) and flag item 6."""
    values = _common.check_answers(LABEL, answers, ITEMS)
    missing = _common.missing_positions(values, ITEMS)
    if len(missing) > MAX_MISSING:
        # Not scored (clinical_spec.md §11 scoring.missing: "if >1 missing: do not score"), but
        # an answered item 6 still travels with the error so its alert is raised (HZ-017).
        raise IncompleteAnswers(
            f"{LABEL}: {_common.describe_items(missing)} missing; at most one item may be "
            "missing for a prorated score (CORE System Trust scoring guidance)",
            missing,
            _risk_flags(values[RISK_ITEM - 1]),
        )
    scores = _common.item_scores(values, ITEMS)
    prorated = bool(missing)
    total: Total = _common.prorate(scores, ITEM_COUNT) if prorated else _common.answered_sum(scores)
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=None,
        caseness=total >= CASENESS_THRESHOLD,
        risk_flags=_risk_flags(values[RISK_ITEM - 1]),
        prorated=prorated,
        proration_rule=PRORATION_RULE if prorated else None,
        extras={
            "max_total": 40,
            "item_scores": scores,
            "missing_items": missing,
            "reverse_keyed_items": REVERSE_KEYED_ITEMS,
            "caseness_rule": "CORE-10 >= 11: clinical range (novopsych; socasresourcehub)",
            "depression_cutoff_met": total >= DEPRESSION_THRESHOLD,
            "band_unverified": _common.band_for(total, UNVERIFIED_BANDS),
            "unverified": (
                "band: two secondary sources conflict; version A shown, manual not retrieved",
            ),
        },
    )


def _risk_flags(item6: int | None) -> tuple[RiskFlag, ...]:
    if item6 is None:
        return (
            RiskFlag(
                "core10_item6_missing", str(RISK_ITEM), None, Severity.MODERATE, MISSING_RISK_SOURCE
            ),
        )
    if item6 > 0:
        return (
            RiskFlag("core10_item6_positive", str(RISK_ITEM), item6, Severity.HIGH, RISK_SOURCE),
        )
    return ()


SCORER = InstrumentScorer(INSTRUMENT_ID, VERSION, LABEL, ITEMS, score)
