"""Handlers that run inside the submission's transaction (e.g. safety raising an alert).

Higher domains register here from their AppConfig.ready(), so assessments never imports them and
whatever they write commits or rolls back together with the assessment (transactional outbox).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment

SubmissionHandler = Callable[["Assessment"], object]
_handlers: dict[str, SubmissionHandler] = {}


def on_assessment_recorded(name: str, handler: SubmissionHandler) -> None:
    _handlers[name] = handler


def run_submission_handlers(assessment: Assessment) -> None:
    for handler in _handlers.values():
        handler(assessment)
