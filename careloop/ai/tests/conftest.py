"""Fixtures for the ai domain's database tests: an episode with questionnaires on chosen days,
and an early-warning model version with hand-set coefficients (so each test knows its output).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from careloop.ai.early_warning.features import FEATURE_NAMES
from careloop.ai.early_warning.logistic import LogisticModel
from careloop.ai.models import ModelVersion
from careloop.ai.services.registry import register_version
from careloop.ai.types import ModelKind
from careloop.assessments.models import Assessment
from careloop.care.models import TreatmentEpisode
from careloop.core import clock

PASSING_GATE = {
    "ethnicity": {"blocked": False, "explanation": "Passed: no sensitivity gap."},
}
BLOCKED_GATE = {
    "gender": {
        "blocked": True,
        "explanation": "Blocked: sensitivity differs by 20.0 points between female and male.",
    }
}


def hand_model(**weights: float) -> LogisticModel:
    """logit p = Σ weight × input (no scaling, intercept 0, Platt identity)."""
    return LogisticModel(
        FEATURE_NAMES,
        tuple(0.0 for _ in FEATURE_NAMES),
        tuple(1.0 for _ in FEATURE_NAMES),
        0.0,
        tuple(weights.get(name, 0.0) for name in FEATURE_NAMES),
    )


def make_version(
    service_id: uuid.UUID,
    version: str = "test-1",
    gate: dict[str, Any] | None = None,
    **weights: float,
) -> ModelVersion:
    return register_version(
        actor=None,
        service_id=service_id,
        kind=ModelKind.EARLY_WARNING,
        version=version,
        intended_use="test",
        training_data="test data",
        provenance="hand-set coefficients",
        limitations=["test only"],
        parameters=hand_model(**weights).to_json(),
        gate=PASSING_GATE if gate is None else gate,
    )


@pytest.fixture
def early_warning(service, sam) -> ModelVersion:
    """An active model: each point of PHQ-9 *rise* since the start adds 1 to the log-odds, so
    no change gives 50 % ("higher" band) and a fall of 3 points about 5 % ("lower")."""
    from careloop.ai.services.registry import activate_version

    return activate_version(sam, make_version(service.id, phq9_change=1.0))


@pytest.fixture
def episode_days_ago(ada_patient) -> Callable[[int], TreatmentEpisode]:
    def make(days: int) -> TreatmentEpisode:
        today = clock.now().date()
        return TreatmentEpisode.objects.create(
            service=ada_patient.service,
            patient=ada_patient,
            referred_on=today - timedelta(days=days + 7),
            started_on=today - timedelta(days=days),
        )

    return make


def add_questionnaire(
    episode: TreatmentEpisode, day: int, instrument: str, answers: list[int]
) -> Assessment:
    moment = datetime.combine(episode.started_on + timedelta(days=day), time(12), tzinfo=UTC)
    return Assessment.objects.create(
        service_id=episode.service_id,
        patient_id=episode.patient_id,
        episode=episode,
        instrument_id=instrument,
        instrument_version=f"{instrument}@1.0.0",
        answers=answers,
        score_total=sum(answers),
        completed_at=moment,
        recorded_at=moment,
        source="seed",
        client_id=uuid.uuid4(),
    )


def phq9(total: int, item9: int = 0) -> list[int]:
    """Nine answers summing to `total` with item 9 as given."""
    rest = total - item9
    answers = [min(3, max(0, rest - 3 * i)) for i in range(8)]
    return [*answers, item9]
