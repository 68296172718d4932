"""The public scoring API: dispatch, errors, result immutability, JSON output and purity."""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from careloop.instruments import scoring
from careloop.instruments.scoring import (
    SCORERS,
    InvalidAnswers,
    InvalidContext,
    RiskFlag,
    ScoreResult,
    UnknownInstrument,
    score,
)

SCORING_DIR = Path(scoring.__file__).parent

# One valid administration per instrument (used for the cross-instrument checks).
VALID: dict[str, list[int | None]] = {
    "phq9": [1] * 9,
    "phq8": [1] * 8,
    "phq2": [1, 1],
    "gad7": [1] * 7,
    "gad2": [1, 1],
    "who5": [3] * 5,
    "pcl5": [1] * 20,
    "audit_c": [1, 1, 1],
    "audit": [1, 1, 1, 1, 1, 1, 1, 1, 2, 2],
    "k10": [2] * 10,
    "core10": [1] * 10,
    "wsas": [2] * 5,
    "cssrs_screener": [1, 1, 1, 1, 1, 1, 1],
    "pss10": [2] * 10,
    "epds": [1] * 10,
}


def test_every_registered_instrument_has_a_valid_example() -> None:
    assert set(VALID) == set(SCORERS) == set(scoring.instrument_ids())


@pytest.mark.parametrize("instrument_id", sorted(VALID))
def test_result_identifies_instrument_version_and_serialises_to_json(instrument_id: str) -> None:
    result = score(instrument_id, VALID[instrument_id])
    assert result.instrument_id == instrument_id
    assert result.instrument_version == SCORERS[instrument_id].version == "1.0.0"
    assert result.versioned_id == f"{instrument_id}@1.0.0"
    data = json.loads(json.dumps(result.to_dict()))
    assert data["instrument_id"] == instrument_id
    assert data["total"] == result.total
    assert data["risk_flags"] == [flag.to_dict() for flag in result.risk_flags]


@pytest.mark.parametrize("instrument_id", sorted(VALID))
def test_every_instrument_rejects_a_wrong_count(instrument_id: str) -> None:
    with pytest.raises(InvalidAnswers, match="expects"):
        score(instrument_id, [*VALID[instrument_id], 0, 0])


@pytest.mark.parametrize("instrument_id", sorted(VALID))
def test_every_instrument_rejects_a_non_integer(instrument_id: str) -> None:
    answers: list[object] = list(VALID[instrument_id])
    answers[0] = "1"
    with pytest.raises(InvalidAnswers, match="item 1: '1' is not an integer"):
        score(instrument_id, answers)  # type: ignore[arg-type]


@pytest.mark.parametrize("instrument_id", sorted(VALID))
def test_every_instrument_rejects_an_out_of_range_value(instrument_id: str) -> None:
    answers = list(VALID[instrument_id])
    answers[1] = 99
    with pytest.raises(InvalidAnswers, match="item 2: 99 is out of range"):
        score(instrument_id, answers)


@pytest.mark.parametrize("answers", [None, 5, "0,1,2", {"1": 0}])
def test_answers_must_be_a_sequence(answers: object) -> None:
    with pytest.raises(InvalidAnswers, match="must be a list of integers"):
        score("phq2", answers)  # type: ignore[arg-type]


def test_unknown_instrument_is_a_value_error_naming_the_known_ones() -> None:
    with pytest.raises(
        UnknownInstrument, match="unknown instrument 'phq10'; known instruments: phq9"
    ):
        score("phq10", [0])
    assert issubclass(UnknownInstrument, ValueError)


def test_unknown_scoring_option_is_rejected() -> None:
    with pytest.raises(
        InvalidContext, match="PHQ-9 does not accept option\\(s\\) cutoff; accepted: none"
    ):
        score("phq9", [0] * 9, cutoff=31)


def test_sex_is_ignored_by_instruments_without_sex_specific_rules() -> None:
    assert score("phq9", [1] * 9, sex="female") == score("phq9", [1] * 9)


def test_score_result_is_deeply_immutable() -> None:
    result = score("phq9", [3] * 9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.extras["max_total"] = 0  # type: ignore[index]
    assert isinstance(result.risk_flags, tuple)
    assert isinstance(result.risk_flags[0], RiskFlag)


def test_to_dict_refuses_values_that_are_not_json_safe() -> None:
    result = ScoreResult("x", "1.0.0", 1, None, None, extras={"bad": object()})
    with pytest.raises(TypeError, match="not JSON-safe"):
        result.to_dict()


def test_to_dict_turns_tuples_into_lists() -> None:
    data = score("phq9", [1] * 9).to_dict()
    assert data["extras"]["item_scores"] == [1] * 9  # type: ignore[index]


def test_scoring_package_source_never_imports_django_or_ninja() -> None:
    offenders = []
    for path in sorted(SCORING_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in {"django", "ninja"}
            ]
    assert offenders == []


def test_importing_scoring_loads_no_django_module() -> None:
    code = (
        "import sys, careloop.instruments.scoring, careloop.instruments.library\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'ninja'})\n"
        "print(','.join(bad))\n"
    )
    completed = subprocess.run(  # noqa: S603 - fixed interpreter and code, no shell
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == ""
