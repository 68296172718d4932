"""Collaborative Care (treat-to-target) status on PHQ-9: response, remission and the review flag.

Sources, /work/shared/reference/clinical_spec.md §17 (and §1 `change`):

* response: ≥ 50 % reduction in PHQ-9 from baseline (psychiatryonline.org/doi/10.1176/
  appi.ps.201900295);
* remission: PHQ-9 < 5 (same source);
* eligibility in the Washington State registry study: baseline PHQ-9 ≥ 10 (Bao et al. 2016);
* review: "change/intensify treatment if not meaningfully improved at ~10–12 weeks" — the exact
  AIMS wording is UNVERIFIED (spec §17 and §21 item 7). Careloop reads "meaningfully improved"
  as response or remission, and flags the review as due from week 10 to week 12 and overdue
  after week 12.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from careloop.monitoring.outcomes.change import percent_change

RESPONSE_MIN_REDUCTION_PERCENT = 50.0  # clinical_spec.md §17 response
REMISSION_BELOW = 5  # clinical_spec.md §17 remission: PHQ-9 < 5
ELIGIBLE_BASELINE = 10  # clinical_spec.md §17: registry eligibility baseline PHQ-9 >= 10
REVIEW_FROM_WEEK, REVIEW_UNTIL_WEEK = 10, 12  # clinical_spec.md §17 review_10_12_weeks

SOURCES = {
    "response": "≥ 50 % PHQ-9 reduction from baseline: clinical_spec.md §17",
    "remission": "PHQ-9 < 5: clinical_spec.md §17",
    "review": (
        "review at 10–12 weeks unless responded or remitted: clinical_spec.md §17 "
        "(AIMS wording UNVERIFIED)"
    ),
}


class ReviewFlag(StrEnum):
    NOT_YET_DUE = "not_yet_due"  # before week 10
    DUE = "review_due"  # weeks 10–12, neither response nor remission
    OVERDUE = "review_overdue"  # after week 12, still neither
    NOT_NEEDED = "not_needed"  # responded or in remission


@dataclass(frozen=True)
class CocmStatus:
    baseline: float
    latest: float
    percent_change: float | None
    weeks_in_treatment: float
    is_response: bool
    is_remission: bool
    review: ReviewFlag
    baseline_meets_eligibility: bool


def weeks_between(start: date, end: date) -> float:
    return (end - start).days / 7


def cocm_status(baseline: float, latest: float, *, baseline_on: date, as_of: date) -> CocmStatus:
    """Treat-to-target status of one episode on PHQ-9.

    1. Response: latest ≤ half the baseline (a ≥ 50 % drop); undefined for a 0 baseline.
    2. Remission: latest < 5.
    3. Review: weeks from the baseline PHQ-9 to `as_of` (today, or the episode's end); before
       week 10 not yet due; weeks 10–12 due and after 12 overdue, unless 1 or 2 holds.
    """
    change = percent_change(baseline, latest)
    is_response = change is not None and change <= -RESPONSE_MIN_REDUCTION_PERCENT
    is_remission = latest < REMISSION_BELOW
    weeks = weeks_between(baseline_on, as_of)
    return CocmStatus(
        baseline=baseline,
        latest=latest,
        percent_change=change,
        weeks_in_treatment=weeks,
        is_response=is_response,
        is_remission=is_remission,
        review=_review(weeks, is_improved=is_response or is_remission),
        baseline_meets_eligibility=baseline >= ELIGIBLE_BASELINE,
    )


def _review(weeks: float, *, is_improved: bool) -> ReviewFlag:
    if is_improved:
        return ReviewFlag.NOT_NEEDED
    if weeks < REVIEW_FROM_WEEK:
        return ReviewFlag.NOT_YET_DUE
    if weeks <= REVIEW_UNTIL_WEEK:
        return ReviewFlag.DUE
    return ReviewFlag.OVERDUE
