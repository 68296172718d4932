"""Handlers that run inside the submission's transaction (e.g. safety raising an alert).

Higher domains register here from their AppConfig.ready(), so assessments never imports them and
whatever they write commits or rolls back together with the assessment (transactional outbox).

Imported history is not a live event: an imported result runs the handlers only if it was
completed within IMPORTED_RESULT_LIVE_WINDOW before it was filed (docs/safety/alert-system.md,
"Imported history"). Older results are stored, banded and shown with their risk flags, but page
nobody: a Synthea or legacy-system history from years ago must not wake the on-call clinician.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from careloop.assessments.types import SubmissionSource

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment

SubmissionHandler = Callable[["Assessment"], object]
_handlers: dict[str, SubmissionHandler] = {}

# Two weeks: the PHQ-9 and GAD-7 recall period. A result inside it describes the patient now.
IMPORTED_RESULT_LIVE_WINDOW = timedelta(days=14)


def on_assessment_recorded(name: str, handler: SubmissionHandler) -> None:
    _handlers[name] = handler


def raises_live_alerts(assessment: Assessment) -> bool:
    """Every app, API or seeded submission does; an imported one only while it is recent."""
    if assessment.source != SubmissionSource.IMPORT:
        return True
    return assessment.completed_at >= assessment.recorded_at - IMPORTED_RESULT_LIVE_WINDOW


def run_submission_handlers(assessment: Assessment) -> bool:
    """Run every handler in the caller's transaction; False when the assessment is old history."""
    if not raises_live_alerts(assessment):
        return False
    for handler in _handlers.values():
        handler(assessment)
    return True
