"""Gradual deterioration alerts (HZ-020): a reliable rise from the episode baseline raises one
alert of its own rule, with evidence, and no alert storm on the submissions after it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from careloop.assessments.models import Assessment
from careloop.assessments.services import record_imported_total, submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.models import TreatmentEpisode
from careloop.instruments.scoring.reliable_change import RELIABLE_CHANGE_POINTS
from careloop.monitoring.outcomes.change import NHS_TT_CRITERIA
from careloop.safety.models import Alert
from careloop.safety.presenters import reason_of
from careloop.safety.rules.registry import RELIABLE_DETERIORATION
from careloop.safety.rules.reliable_deterioration import (
    MIN_RISE,
    EarlierAlert,
    EpisodeScore,
    reliable_deterioration,
)
from careloop.safety.services import acknowledge_alert
from careloop.safety.types import AlertSource, AlertStatus

RULE = "reliable_deterioration"

# ------------------------------------------------------------------ the pure rule (table tests)


def _rule(latest: float, *, baseline: float | None = 10, band: str = "moderate", earlier=None):
    return reliable_deterioration(
        "phq9",
        "phq9@1.0.0",
        baseline=None if baseline is None else EpisodeScore(baseline, "2026-11-01"),
        latest=EpisodeScore(latest, "2026-11-29"),
        latest_band=band,
        earlier=earlier,
    )


@pytest.mark.parametrize(
    ("latest", "baseline", "band", "earlier", "severity"),
    [
        (15, 10, "moderately severe", None, None),  # +5: below the PHQ-9 criterion of 6
        (16, 10, "moderately severe", None, "moderate"),  # +6: reliable deterioration
        (22, 10, "severe", None, "high"),
        (10, 4, "moderate", None, "moderate"),
        (8, 2, "mild", None, "low"),
        (22, None, "severe", None, None),  # no baseline in the episode: nothing to compare
        # Once per episode: an open alert stands; nothing new while nobody has acknowledged it.
        (22, 10, "severe", EarlierAlert(True, 16, False), None),
        # Acknowledged: only a further reliable rise above the alerted score raises again.
        (21, 10, "severe", EarlierAlert(False, 16, False), None),
        (22, 10, "severe", EarlierAlert(False, 16, False), "high"),
        # The patient improved below the criterion since: a new deterioration counts afresh.
        (17, 10, "moderately severe", EarlierAlert(False, 16, True), "moderate"),
        (17, 10, "moderately severe", EarlierAlert(True, 16, True), "moderate"),
    ],
)
def test_when_the_rule_fires_and_how_urgent(latest, baseline, band, earlier, severity) -> None:
    signal = _rule(latest, baseline=baseline, band=band, earlier=earlier)
    assert (signal.severity if signal else None) == severity


def test_the_signal_carries_baseline_latest_change_threshold_and_source() -> None:
    signal = _rule(22, band="severe")
    assert signal is not None and signal.rule_id == RULE
    evidence = signal.evidence
    assert (evidence["baseline_total"], evidence["latest_total"]) == (10, 22)
    assert (evidence["change"], evidence["threshold"]) == (12, 6)
    assert evidence["baseline_on"] == "2026-11-01" and "NHS Talking Therapies" in evidence["source"]
    assert "UNVERIFIED" in evidence["source"]


def test_instruments_without_a_criterion_never_fire() -> None:
    signal = reliable_deterioration(
        "epds", "epds@1.0.0", baseline=EpisodeScore(2, "x"), latest=EpisodeScore(25, "y"),
        latest_band="", earlier=None,
    )  # fmt: skip
    assert signal is None


def test_one_criterion_for_safety_and_outcomes() -> None:
    """Safety reads the criterion from instruments (it may not import monitoring, a higher
    layer); the rulebook's approved copy and the outcome engine must say the same."""
    assert dict(RELIABLE_CHANGE_POINTS) == MIN_RISE
    assert dict(RELIABLE_DETERIORATION.parameters["min_rise"]) == dict(RELIABLE_CHANGE_POINTS)
    assert {k: c.min_points for k, c in NHS_TT_CRITERIA.items()} == dict(RELIABLE_CHANGE_POINTS)


# ------------------------------------------------------------------ through the submission path


def _phq9(total: int) -> list[int | None]:
    """Answers summing to `total` with item 9 (self-harm) = 0, so only the total can alert."""
    answers: list[int | None] = []
    left = total
    for _ in range(8):
        answers.append(min(3, left))
        left -= min(3, left)
    assert left == 0
    return [*answers, 0]


@pytest.fixture
def episode(ada_patient) -> TreatmentEpisode:
    return TreatmentEpisode.objects.create(
        service_id=ada_patient.service_id,
        patient=ada_patient,
        referred_on=date(2026, 10, 1),
        started_on=date(2026, 10, 1),
    )


def _submit(ada, ada_patient, total: int, weeks_ago: float, instrument: str = "phq9"):
    answers = _phq9(total) if instrument == "phq9" else _gad7(total)
    assessment, _ = submit_assessment(
        ada_patient,
        actor=ada,
        instrument_id=instrument,
        answers=answers,
        client_id=uuid.uuid4(),
        source=SubmissionSource.API,
        completed_at=_now() - timedelta(weeks=weeks_ago),
    )
    return assessment


def _gad7(total: int) -> list[int | None]:
    return [min(3, max(0, total - 3 * i)) for i in range(7)]


def _now():
    from careloop.core import clock

    return clock.now()


def _deterioration_alerts() -> list[Alert]:
    return list(Alert.objects.filter(source=AlertSource.DETERIORATION).order_by("raised_at"))


def test_ten_to_twenty_two_over_four_weeks_raises_one_alert_not_a_storm(
    ada, ada_patient, episode
) -> None:
    totals = [10, 13, 16, 19, 22]  # +3 a week: never a sharp rise
    submitted = [_submit(ada, ada_patient, t, weeks_ago=4 - week) for week, t in enumerate(totals)]
    alerts = _deterioration_alerts()
    assert [(a.rule_id, a.assessment_id) for a in alerts] == [(RULE, submitted[2].id)]
    alert = alerts[0]
    assert alert.severity == "moderate"  # 16 is "moderately severe"
    assert alert.evidence["baseline_total"] == 10 and alert.evidence["latest_total"] == 16
    assert alert.evidence["change"] == 6 and alert.evidence["threshold"] == 6
    assert "10" in reason_of(alert) and "16" in reason_of(alert)


def test_after_acknowledgement_only_a_further_reliable_rise_alerts_again(
    ada, ada_patient, episode, ben
) -> None:
    for week, total in enumerate([10, 13, 16]):
        _submit(ada, ada_patient, total, weeks_ago=6 - week)
    first = _deterioration_alerts()[0]
    acknowledge_alert(first, actor=ben)
    _submit(ada, ada_patient, 19, weeks_ago=3)  # +3 on the acknowledged 16: not again
    assert len(_deterioration_alerts()) == 1
    severe = _submit(ada, ada_patient, 22, weeks_ago=2)  # +6 on the acknowledged 16
    alerts = _deterioration_alerts()
    assert len(alerts) == 2 and alerts[1].assessment_id == severe.id
    assert alerts[1].severity == "high"  # 22 is "severe": pages on-call at night too


def test_improvement_rearms_the_rule(ada, ada_patient, episode, ben) -> None:
    for week, total in enumerate([10, 13, 16]):
        _submit(ada, ada_patient, total, weeks_ago=8 - week)
    acknowledge_alert(_deterioration_alerts()[0], actor=ben)
    _submit(ada, ada_patient, 11, weeks_ago=5)  # better: below baseline + 6
    _submit(ada, ada_patient, 14, weeks_ago=4)
    again = _submit(ada, ada_patient, 17, weeks_ago=3)
    assert [a.assessment_id for a in _deterioration_alerts()][-1] == again.id


def test_a_sharp_rise_on_the_same_submission_is_one_alert(ada, ada_patient, episode) -> None:
    _submit(ada, ada_patient, 10, weeks_ago=2)
    _submit(ada, ada_patient, 17, weeks_ago=1)  # +7 since last time and since baseline
    _submit(ada, ada_patient, 18, weeks_ago=0)  # the open sharp alert stands
    assert [a.rule_id for a in _deterioration_alerts()] == ["sharp_deterioration"]
    assert Alert.objects.get().status == AlertStatus.RAISED


def test_gad7_uses_its_own_criterion(ada, ada_patient, episode) -> None:
    for week, total in enumerate([6, 8, 10]):
        _submit(ada, ada_patient, total, weeks_ago=3 - week, instrument="gad7")
    alerts = _deterioration_alerts()
    assert [(a.rule_id, a.evidence["threshold"], a.evidence["change"]) for a in alerts] == [
        (RULE, 4, 4)
    ]


def test_other_episodes_and_no_episode_are_not_compared(ada, ada_patient) -> None:
    _submit(ada, ada_patient, 10, weeks_ago=3)
    _submit(ada, ada_patient, 13, weeks_ago=2)
    _submit(ada, ada_patient, 16, weeks_ago=1)  # no episode: no baseline
    assert _deterioration_alerts() == []
    TreatmentEpisode.objects.create(
        service_id=ada_patient.service_id, patient=ada_patient,
        referred_on=date(2026, 12, 1), started_on=date(2026, 12, 1),
    )  # fmt: skip
    _submit(ada, ada_patient, 18, weeks_ago=0.5)  # the new episode's baseline
    assert _deterioration_alerts() == []


def test_recent_imported_totals_count_and_are_marked(ada_patient, episode) -> None:
    for days, total in ((20, 8), (10, 11), (3, 15)):
        record_imported_total(
            ada_patient, actor=None, instrument_id="phq9", total=total,
            completed_at=_now() - timedelta(days=days), client_id=uuid.uuid4(),
            provenance={"source_observation": f"Observation/{uuid.uuid4()}"},
        )  # fmt: skip
    alert = Alert.objects.get(rule_id=RULE)
    assert alert.evidence["imported_result"] is True
    assert alert.assessment == Assessment.objects.get(score_total=15)
