"""PCL-5: twenty PTSD-symptom items scored 0–4 (total 0–80) with DSM-5 cluster sub-scores.

Context option `cutoff` (31, 32 or 33; default 33) chooses the provisional-PTSD total cut-off:
the spec gives the range 31–33 "per setting; lower for screening". No severity bands exist
(none empirically derived) and PCL-5 is not a suicide screen, so it raises no risk flags.
All numbers: /work/shared/reference/clinical_spec.md §7.
"""

from __future__ import annotations

from collections.abc import Mapping

from careloop.instruments.scoring import _common
from careloop.instruments.scoring.errors import InvalidContext
from careloop.instruments.scoring.types import (
    Answers,
    InstrumentScorer,
    ItemScale,
    ScoreResult,
    ScoringContext,
)

INSTRUMENT_ID = "pcl5"
VERSION = "1.0.0"
LABEL = "PCL-5"
ITEMS: tuple[ItemScale, ...] = (ItemScale(frozenset(range(5))),) * 20

# DSM-5 clusters (comorbidityguidelines.org.au PCL-5 scoring page): 1-based item numbers.
CLUSTERS: Mapping[str, tuple[int, ...]] = {
    "B": (1, 2, 3, 4, 5),
    "C": (6, 7),
    "D": (8, 9, 10, 11, 12, 13, 14),
    "E": (15, 16, 17, 18, 19, 20),
}
# Provisional DSM-5 diagnosis: an item >= 2 counts as endorsed; need B >= 1, C >= 1, D >= 2,
# E >= 2 endorsed items (comorbidityguidelines.org.au; CamCOPS pcl5.py).
ENDORSED_AT_LEAST = 2
DSM_MINIMUM_ENDORSED: Mapping[str, int] = {"B": 1, "C": 1, "D": 2, "E": 2}

# Provisional PTSD total cut-off: 31–33, choose per setting (comorbidityguidelines.org.au).
ALLOWED_CUTOFFS = (31, 32, 33)
# Default 33: the upper end of the published range; a screening setting may pass 31.
DEFAULT_CUTOFF = 33


def score(answers: Answers, context: ScoringContext) -> ScoreResult:
    """Sum the twenty items, add cluster sums and the provisional-diagnosis rule."""
    cutoff = _cutoff(context)
    scores = [s for s in _common.complete_item_scores(LABEL, answers, ITEMS) if s is not None]
    total = sum(scores)
    return ScoreResult(
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        total=total,
        band=None,
        caseness=total >= cutoff,
        extras={
            "max_total": 80,
            "cutoff": cutoff,
            "caseness_rule": f"PCL-5 >= {cutoff}: provisional PTSD (published range 31–33, "
            "chosen per setting; comorbidityguidelines.org.au, clinical_spec.md §7)",
            "cluster_scores": {
                name: sum(scores[i - 1] for i in items) for name, items in CLUSTERS.items()
            },
            "dsm5_provisional_diagnosis": _meets_dsm_rule(scores),
        },
    )


def _cutoff(context: ScoringContext) -> int:
    cutoff = context.options.get("cutoff", DEFAULT_CUTOFF)
    if isinstance(cutoff, int) and not isinstance(cutoff, bool) and cutoff in ALLOWED_CUTOFFS:
        return cutoff
    raise InvalidContext(f"{LABEL} cutoff must be 31, 32 or 33; got {cutoff!r}")


def _meets_dsm_rule(scores: list[int]) -> bool:
    return all(
        sum(scores[i - 1] >= ENDORSED_AT_LEAST for i in CLUSTERS[name]) >= minimum
        for name, minimum in DSM_MINIMUM_ENDORSED.items()
    )


SCORER = InstrumentScorer(
    INSTRUMENT_ID, VERSION, LABEL, ITEMS, score, context_keys=frozenset({"cutoff"})
)
