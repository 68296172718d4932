"""Screening of imported results (submission hook): a recent severe or risk-unknown imported
result becomes a clinician review item in the import's own transaction (rule
`imported_result_review`, safety/rules/imported.py).

The hooks run only for imported results inside the live window (assessments.hooks), so history
from years ago queues nothing; a re-import returns the same review item (keyed by assessment).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from careloop.assessments.types import SubmissionSource
from careloop.safety.models import ReviewItem
from careloop.safety.rules.imported import RISK_ITEM, review_for_imported_result
from careloop.safety.services.review import request_review
from careloop.safety.types import ReviewKind

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment


def review_imported_result(assessment: Assessment) -> ReviewItem | None:
    """Queue "risk not assessed" for a recent imported result that needs it; else None."""
    if assessment.source != SubmissionSource.IMPORT:
        return None
    risk_item = RISK_ITEM.get(assessment.instrument_id)
    answers = assessment.answers or []
    answered = (
        risk_item is not None and len(answers) >= risk_item and answers[risk_item - 1] is not None
    )
    review = review_for_imported_result(
        instrument_id=assessment.instrument_id,
        instrument_version=assessment.instrument_version,
        total=assessment.score_total,
        items_available=assessment.items_available,
        risk_item_answered=answered,
        days_before_import=(assessment.recorded_at - assessment.completed_at).days,
    )
    if review is None:
        return None
    return request_review(
        patient=assessment.patient,
        kind=ReviewKind.RISK_NOT_ASSESSED,
        reason=review.reason,
        evidence={**review.evidence, "completed_at": assessment.completed_at.isoformat()},
        source_ref=f"assessment:{assessment.id}",
    )
