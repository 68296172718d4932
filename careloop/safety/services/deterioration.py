"""Gradual deterioration (submission hook, rule `reliable_deterioration`): compare each new total
with the episode's first score on the same instrument and raise one alert per deterioration, in
the submission's transaction (rules/reliable_deterioration.py says when "once" ends).

Runs after `raise_alerts_for_assessment` (registration order in apps.py): when the sharp rule
already raised an alert for this very submission, that alert says it, and this rule adds no
second alert for the same rise.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from careloop.assessments.selectors import (
    episode_baseline_for_system,
    improved_in_episode_for_system,
)
from careloop.assessments.types import SubmissionSource
from careloop.safety.models import OPEN_STATUSES, Alert
from careloop.safety.rules.registry import RELIABLE_DETERIORATION, SHARP_DETERIORATION
from careloop.safety.rules.reliable_deterioration import (
    MIN_RISE,
    EarlierAlert,
    EpisodeScore,
    reliable_deterioration,
    rises_reliably,
)
from careloop.safety.services.raising import _store
from careloop.safety.types import AlertSource

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment

DETERIORATION_RULES = (SHARP_DETERIORATION.rule_id, RELIABLE_DETERIORATION.rule_id)


def _score(assessment: Assessment) -> EpisodeScore:
    assert assessment.score_total is not None
    return EpisodeScore(assessment.score_total, assessment.completed_at.date().isoformat())


def _earlier_alert(assessment: Assessment, baseline_total: float) -> EarlierAlert | None:
    """The episode's last deterioration alert on this instrument before this submission."""
    alert = (
        Alert.objects.filter(
            service_id=assessment.service_id,
            patient_id=assessment.patient_id,
            rule_id__in=DETERIORATION_RULES,
            assessment__episode_id=assessment.episode_id,
            assessment__instrument_id=assessment.instrument_id,
            assessment__completed_at__lt=assessment.completed_at,
        )
        .select_related("assessment")
        .order_by("-assessment__completed_at", "-raised_at")
        .first()
    )
    if alert is None or alert.assessment is None:
        return None
    threshold = MIN_RISE[assessment.instrument_id]
    improved = improved_in_episode_for_system(
        assessment, since=alert.assessment.completed_at, below=baseline_total + threshold
    )
    return EarlierAlert(
        is_open=alert.status in OPEN_STATUSES,
        alerted_total=alert.assessment.score_total,
        improved_since=improved,
    )


def raise_reliable_deterioration(assessment: Assessment) -> Alert | None:
    """Submission hook: the reliable-deterioration alert this submission calls for, or None."""
    if (
        assessment.score_total is None
        or assessment.episode_id is None  # no episode, no baseline to compare with
        or assessment.instrument_id not in MIN_RISE
    ):
        return None
    baseline = episode_baseline_for_system(assessment)
    if baseline is None or not rises_reliably(
        assessment.instrument_id, float(baseline.score_total or 0), assessment.score_total
    ):
        # No rise, no signal whatever the alerts say: most submissions stop here, so the two
        # alert reads below (the sharp alert, the episode's earlier alert) are not run for them.
        return None
    if Alert.objects.filter(
        service_id=assessment.service_id,
        assessment=assessment,
        rule_id=SHARP_DETERIORATION.rule_id,
    ).exists():
        return None
    signal = reliable_deterioration(
        assessment.instrument_id,
        assessment.instrument_version,
        baseline=_score(baseline),
        latest=_score(assessment),
        latest_band=assessment.band,
        earlier=_earlier_alert(assessment, float(baseline.score_total or 0)),
    )
    if signal is None:
        return None
    if assessment.source == SubmissionSource.IMPORT:
        imported = {"imported_result": True, "completed_at": assessment.completed_at.isoformat()}
        signal = replace(signal, evidence={**signal.evidence, **imported})
    alert, _ = _store(
        assessment.patient,
        signal,
        source=AlertSource.DETERIORATION,
        trigger_key=f"assessment:{assessment.id}:{signal.rule_id}:{signal.discriminator}",
        actor=None,
        assessment=assessment,
    )
    return alert
