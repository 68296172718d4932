"""The published fallback used when a service has too little history for its own PHQ-9 bands.

It is NOT a percentile band: it is a published early-warning rule for CBT (clinical_spec.md
§18 `phq9_usable_rules`): non-response is predicted when PHQ-9 is ≥ 17 at week 4, ≥ 13 at
week 9 and ≥ 9 at week 14. The source in the spec is a mirror of the PubMed abstract of
PMID 26077754 ("verify at pubmed"), so every use is labelled UNVERIFIED.

Careloop holds each checkpoint until the next one (weeks 4–8 use 17, 9–13 use 13, 14 and later
use 9). Holding, rather than interpolating between checkpoints, never makes the rule stricter
than published at any week. Before week 4 the rule says nothing.
"""

from __future__ import annotations

from bisect import bisect_right

# (first week the threshold applies, PHQ-9 at or above which non-response is predicted)
CHECKPOINTS: tuple[tuple[int, int], ...] = ((4, 17), (9, 13), (14, 9))
SOURCE = (
    "PHQ-9 ≥ 17 at week 4, ≥ 13 at week 9, ≥ 9 at week 14 predicts non-response to CBT: "
    "clinical_spec.md §18 (PMID 26077754, read from a mirror of the abstract)"
)
UNVERIFIED = (
    "published reference rule read from a mirror of the PubMed abstract (UNVERIFIED); "
    "checkpoints held between weeks by Careloop's choice"
)


def alert_threshold(week: int) -> int | None:
    """The PHQ-9 at or above which the reference rule predicts non-response at `week`."""
    index = bisect_right([first_week for first_week, _ in CHECKPOINTS], week)
    if index == 0:
        return None
    return CHECKPOINTS[index - 1][1]
