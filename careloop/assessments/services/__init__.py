"""The one write path for assessments: validate, score, store, audit, hand to the hooks.

`submission` (answers from the patient or a clinician), `imported` (a total filed by a FHIR
import) and `seed` (the synthetic-population loader's fast path). Import from this package.
"""

from careloop.assessments.services.imported import (
    record_imported_total,
)
from careloop.assessments.services.seed import (
    bulk_create_assessments_for_seed,
    new_assessment_for_seed,
)
from careloop.assessments.services.submission import (
    COMPLETED_AT_CLOCK_SKEW,
    EARLIEST_COMPLETED_AT,
    MissingAnswers,
    Scored,
    checked_completed_at,
    record_results_viewed,
    submit_assessment,
)

__all__ = [
    "COMPLETED_AT_CLOCK_SKEW",
    "EARLIEST_COMPLETED_AT",
    "MissingAnswers",
    "Scored",
    "bulk_create_assessments_for_seed",
    "checked_completed_at",
    "new_assessment_for_seed",
    "record_imported_total",
    "record_results_viewed",
    "submit_assessment",
]
