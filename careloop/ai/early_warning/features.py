"""Features of the first weeks of a treatment episode, and the week-12 label (pure).

Input: what happened in one episode, as day offsets from its start (`EpisodeHistory`). Output:
the feature vector the early-warning model reads (`FEATURES`, in order) and, for an ended
episode, the label "no reliable improvement by week 12".

The window is the first `WINDOW_DAYS` days (weeks 0-4): a prediction is made once the episode
has a PHQ-9 at least `MIN_LATEST_DAY` days after the first one (week 2) and uses nothing after
day `WINDOW_DAYS`. Reliable improvement is the NHS Talking Therapies definition
(`monitoring.outcomes.nhs_tt`: PHQ-9 >= 6 or GAD-7 >= 4 points better, neither reliably worse),
judged on the last paired PHQ-9/GAD-7 on or before day `LABEL_DAY`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from careloop.monitoring.outcomes.nhs_tt import DatedScore, nhs_tt_outcome

WINDOW_DAYS = 31  # weeks 0-4 (a weekly session may drift a few days)
MIN_LATEST_DAY = 12  # a second PHQ-9 from about week 2 on
LABEL_DAY = 12 * 7 + 3  # week 12, with the same drift
MOOD_WHEN_NO_CHECKINS = 5.0  # the middle of the 0-10 scale; `has_checkins` says it was imputed
PHQ9_ITEM9, PHQ9_ANHEDONIA, PHQ9_SLEEP = 8, 0, 2  # item positions (0-based) in PHQ-9


@dataclass(frozen=True)
class Questionnaire:
    day: int  # days since the episode started
    instrument_id: str  # "phq9" or "gad7"
    total: float
    answers: tuple[int | None, ...]  # item ordinals; empty when only a total was imported


@dataclass(frozen=True)
class CheckInMood:
    day: int
    mood: int  # 0-10


@dataclass(frozen=True)
class EpisodeHistory:
    questionnaires: tuple[Questionnaire, ...]  # oldest first
    checkins: tuple[CheckInMood, ...]


@dataclass(frozen=True)
class Feature:
    name: str
    label: str  # plain words for staff
    unit: str  # "points", "answer 0-3", "per week", "share", ...


FEATURES: tuple[Feature, ...] = (
    Feature("phq9_baseline", "PHQ-9 at the start", "points"),
    Feature("phq9_change", "change in PHQ-9 since the start", "points"),
    Feature("gad7_baseline", "GAD-7 at the start", "points"),
    Feature("gad7_change", "change in GAD-7 since the start", "points"),
    Feature("item9_baseline", "thoughts of self-harm (PHQ-9 item 9) at the start", "answer 0-3"),
    Feature("anhedonia_latest", "little interest or pleasure (PHQ-9 item 1), latest", "answer 0-3"),
    Feature("sleep_latest", "sleep problems (PHQ-9 item 3), latest", "answer 0-3"),
    Feature("checkins_per_week", "mood check-ins per week", "per week"),
    Feature("checkin_mood", "average mood check-in", "0-10"),
    Feature("has_checkins", "did any mood check-ins", "yes/no"),
    Feature("completion", "questionnaires completed of those due", "share"),
    Feature("weeks_observed", "weeks since the start", "weeks"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(feature.name for feature in FEATURES)
FEATURE_BY_NAME = {feature.name: feature for feature in FEATURES}


class NotEligible(ValueError):
    """The episode has not (yet) got what a prediction needs; the message says what."""


def _phq9(history: EpisodeHistory, until: int) -> list[Questionnaire]:
    return [q for q in history.questionnaires if q.instrument_id == "phq9" and 0 <= q.day <= until]


def _item(q: Questionnaire, index: int) -> float:
    value = q.answers[index] if len(q.answers) > index else None
    return float(value) if value is not None else 0.0


def observed_until(history: EpisodeHistory, as_of_day: int) -> int:
    """The last day of the window a prediction on `as_of_day` may read."""
    return min(as_of_day, WINDOW_DAYS)


def features_of(history: EpisodeHistory, as_of_day: int = WINDOW_DAYS) -> dict[str, float]:
    """The feature vector of an episode on day `as_of_day` (reads nothing after it, nor after
    WINDOW_DAYS). Raises NotEligible without a PHQ-9 at the start and a later one from week 2.
    """
    until = observed_until(history, as_of_day)
    phq9 = _phq9(history, until)
    if not phq9 or phq9[0].day > 3:
        raise NotEligible("no PHQ-9 at the start of this course of care")
    first, latest = phq9[0], phq9[-1]
    if latest.day < MIN_LATEST_DAY:
        raise NotEligible("no PHQ-9 from week 2 of this course of care yet")
    gad7 = [q for q in history.questionnaires if q.instrument_id == "gad7" and 0 <= q.day <= until]
    moods = [c.mood for c in history.checkins if 0 <= c.day <= until]
    weeks = max(latest.day, 1) / 7
    due = latest.day // 7 + 1  # weekly questionnaires from week 0 to the latest week
    completed_weeks = len({q.day // 7 for q in phq9})
    return {
        "phq9_baseline": first.total,
        "phq9_change": latest.total - first.total,
        "gad7_baseline": gad7[0].total if gad7 else 0.0,
        "gad7_change": (gad7[-1].total - gad7[0].total) if len(gad7) >= 2 else 0.0,
        "item9_baseline": _item(first, PHQ9_ITEM9),
        "anhedonia_latest": _item(latest, PHQ9_ANHEDONIA),
        "sleep_latest": _item(latest, PHQ9_SLEEP),
        "checkins_per_week": len(moods) / weeks,
        "checkin_mood": sum(moods) / len(moods) if moods else MOOD_WHEN_NO_CHECKINS,
        "has_checkins": 1.0 if moods else 0.0,
        "completion": min(1.0, completed_weeks / due),
        "weeks_observed": latest.day / 7,
    }


def vector(features: dict[str, float]) -> list[float]:
    return [float(features[name]) for name in FEATURE_NAMES]


def no_reliable_improvement_by_week_12(history: EpisodeHistory, start: date) -> bool:
    """The label: True when the episode did NOT reach reliable improvement (NHS TT) by week 12,
    including when it ended without a second paired PHQ-9/GAD-7 (not improved, as far as the
    service knows)."""
    phq9 = [
        DatedScore(start + timedelta(days=q.day), q.total)
        for q in history.questionnaires
        if q.instrument_id == "phq9" and q.day <= LABEL_DAY
    ]
    gad7 = [
        DatedScore(start + timedelta(days=q.day), q.total)
        for q in history.questionnaires
        if q.instrument_id == "gad7" and q.day <= LABEL_DAY
    ]
    outcome = nhs_tt_outcome(phq9, gad7, is_ended=True, recorded_sessions=None)
    return outcome.reliable_improvement is not True


def history_of(
    questionnaires: Sequence[tuple[int, str, float, Sequence[int | None]]],
    checkins: Sequence[tuple[int, int]],
) -> EpisodeHistory:
    """Build a history from plain tuples (day, instrument, total, answers) and (day, mood)."""
    return EpisodeHistory(
        tuple(
            Questionnaire(day, instrument, float(total), tuple(answers))
            for day, instrument, total, answers in sorted(questionnaires, key=lambda q: q[0])
        ),
        tuple(CheckInMood(day, mood) for day, mood in sorted(checkins)),
    )
