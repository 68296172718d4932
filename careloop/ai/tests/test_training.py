"""Training end to end on the database: `careloop ai train --service SLUG` reads the service's
closed episodes through the selectors, fits, calibrates and evaluates on held-out episodes, and
stores a draft version whose card says what it was trained on."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from careloop.ai.models import ModelVersion
from careloop.ai.selectors.history import training_rows_for_system
from careloop.ai.tests.conftest import add_questionnaire, phq9
from careloop.ai.types import ModelKind, ModelStatus
from careloop.care.models import Patient, TreatmentEpisode
from careloop.care.types import EpisodeEnding


def _closed_episodes(service, team, n: int, seed: int = 3) -> None:
    """n closed courses: responders fall 3-6 points by week 2 and end improved; the others
    barely move (with a few exceptions either way, so the model has something to learn)."""
    rng = random.Random(seed)
    for i in range(n):
        patient = Patient.objects.create(
            service=service,
            care_team=team,
            display_name=f"P{i}",
            birth_year=1960 + i % 40,
            gender=("female", "male")[i % 2],
        )
        start = date(2026, 1, 5) + timedelta(days=i % 60)
        episode = TreatmentEpisode.objects.create(
            service=service,
            patient=patient,
            referred_on=start - timedelta(days=14),
            started_on=start,
            ended_on=start + timedelta(days=90),
            ending=EpisodeEnding.COMPLETED,
        )
        responder = rng.random() < 0.6
        surprise = rng.random() < 0.1
        week2 = 16 - (rng.randint(3, 6) if responder else rng.randint(-1, 1))
        final = 7 if responder != surprise else 15
        for day, total in ((0, 16), (14, week2), (84, final)):
            add_questionnaire(episode, day, "phq9", phq9(total))
            add_questionnaire(episode, day, "gad7", [2, 2, 1, 1, 1, 1, 1])


@pytest.mark.slow
def test_train_reads_closed_episodes_and_stores_a_calibrated_draft(service, north):
    _closed_episodes(service, north, 160)
    rows, skipped = training_rows_for_system(service.id)
    assert len(rows) == 160 and skipped == 0
    assert sum(row.label for row in rows) > 20
    assert rows[0].groups["gender"] in ("female", "male")

    out = StringIO()
    call_command("ai", "train", "--service", service.slug, stdout=out)
    result = json.loads(out.getvalue())

    version = ModelVersion.objects.get(service=service, kind=ModelKind.EARLY_WARNING)
    assert version.status == ModelStatus.DRAFT and result["version"] == version.version
    assert result["synthetic"] is False
    assert result["held_out"]["auroc"] > 0.75  # the early fall carries the signal
    assert sum(result["episodes"][k] for k in ("train", "calibration", "held_out")) == 160
    assert version.parameters["type"] == "logistic_regression"
    assert version.parameters["calibration"]["method"] == "platt"
    assert len(version.held_out) == result["episodes"]["held_out"]
    assert set(version.per_group) == {
        "ethnicity", "gender", "age_band", "preferred_language", "deprivation_quintile",
    }  # fmt: skip
    assert "160 closed episodes" in version.training_data
    assert "own records" in version.provenance
    assert result["coefficients"]["phq9_change"] > 0  # less fall, more risk


def test_train_says_plainly_when_there_are_too_few_episodes(service, north):
    _closed_episodes(service, north, 5)
    with pytest.raises(CommandError, match="at least 100"):
        call_command("ai", "train", "--service", service.slug, stdout=StringIO())
    with pytest.raises(CommandError, match="no service"):
        call_command("ai", "train", "--service", "nope", stdout=StringIO())
