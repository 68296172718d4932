"""Supervision's public vocabulary: what a case review decides, and why a patient is listed."""

from __future__ import annotations

from django.db import models


class ReviewOutcome(models.TextChoices):
    """The decision a supervisor signs off a case review with (blank: a note, no decision)."""

    CONTINUE = "continue", "Continue the current plan"
    STEP_UP = "step_up", "Step up treatment"
    DISCUSS = "discuss_with_care_manager", "Discuss with the care manager"


class ReviewReason(models.TextChoices):
    """Why the review list shows a patient (plain words on the page)."""

    NO_RELIABLE_IMPROVEMENT = "no_reliable_improvement", "No reliable improvement"
    RELIABLE_DETERIORATION = "reliable_deterioration", "Reliably worse"
    NOT_ON_TRACK = "not_on_track", "Above the expected recovery range"
    NO_SCORES = "no_scores", "No PHQ-9 in this course of care"
    SCORES_NOT_SHARED = "scores_not_shared", "Questionnaire results not shared with the team"


NOTE_MAX_CHARS = 4000
# Collaborative care: patients not responding by week 8 get a psychiatric case review between
# weeks 8 and 12 (clinical_spec.md §17, process_targets.psychiatric_case_review, Bao et al.).
REVIEW_FROM_WEEK = 8
REVIEW_BY_WEEK = 12
# How far back the list looks for alerts handled late (a Careloop default, not a clinical rule).
LATE_ALERT_LOOKBACK_DAYS = 90
