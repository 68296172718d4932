"""The hazard log is complete and every control points at a test that exists (reliability C10)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
HAZARD_LOG = ROOT / "docs" / "safety" / "hazard-log.yaml"
SEVERITIES = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
LIKELIHOODS = ("Very low", "Low", "Medium", "High", "Very high")
CONTROL_TYPES = {"design", "test", "training", "process"}
REQUIRED = ("id", "title", "description", "hazard_type", "causes", "effect", "harm", "initial",
            "controls", "residual", "owner", "status", "cso_signoff")  # fmt: skip


@cache
def _tests_in(path: Path) -> frozenset[str]:
    """Names of test functions and Class::method pairs defined in a test module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(f"{node.name}::{item.name}" for item in node.body if hasattr(item, "name"))
    return frozenset(names)


def missing_test(node_id: str) -> str | None:
    """Why a pytest node id does not resolve to a test, or None when it does."""
    file, _, name = node_id.partition("::")
    path = ROOT / file
    if not name or not path.is_file():
        return f"{node_id}: no such test file"
    if name.split("[")[0] not in _tests_in(path):
        return f"{node_id}: no such test in {file}"
    return None


def hazard_problems(log: dict[str, Any]) -> list[str]:
    problems = []
    for hazard in log["hazards"]:
        hazard_id = hazard.get("id", "?")
        problems += [f"{hazard_id}: missing {key}" for key in REQUIRED if key not in hazard]
        for rating in ("initial", "residual"):
            value = hazard.get(rating) or {}
            if (
                value.get("severity") not in SEVERITIES
                or value.get("likelihood") not in LIKELIHOODS
            ):
                problems.append(f"{hazard_id}: {rating} severity/likelihood off the scale")
            if value.get("risk") not in (1, 2, 3, 4, 5):
                problems.append(f"{hazard_id}: {rating} risk must be 1-5")
        if (hazard.get("residual") or {}).get("risk", 0) >= 3 and not hazard.get("cso_signoff"):
            problems.append(f"{hazard_id}: residual risk >= 3 needs a cso_signoff entry")
        for control in hazard.get("controls") or []:
            if control.get("type") not in CONTROL_TYPES or not control.get("description"):
                problems.append(f"{hazard_id}: control needs a type and a description")
            if not control.get("verification"):
                problems.append(f"{hazard_id}: control without a verifying test")
            problems += [p for t in control.get("verification") or [] if (p := missing_test(t))]
    return problems


def _log() -> dict[str, Any]:
    return yaml.safe_load(HAZARD_LOG.read_text(encoding="utf-8"))


def test_every_hazard_is_complete_and_every_control_names_an_existing_test() -> None:
    log = _log()
    assert len(log["hazards"]) >= 10
    assert len({hazard["id"] for hazard in log["hazards"]}) == len(log["hazards"])
    assert hazard_problems(log) == []


@pytest.mark.parametrize(
    ("node_id", "reason"),
    [
        ("careloop/safety/tests/test_rules.py::test_that_was_never_written", "no such test in"),
        ("careloop/safety/tests/test_gone.py::test_x", "no such test file"),
        ("careloop/safety/tests/test_rules.py", "no such test file"),
    ],
)
def test_a_control_naming_a_missing_test_is_caught(node_id: str, reason: str) -> None:
    log = _log()
    log["hazards"][0]["controls"][0]["verification"] = [node_id]
    [problem] = hazard_problems(log)
    assert reason in problem


def test_parametrized_node_ids_resolve() -> None:
    node = (
        "careloop/safety/tests/test_rules.py::"
        "test_unknown_severity_is_treated_as_high_never_dropped[urgent]"
    )
    assert missing_test(node) is None


def test_the_runbook_exists_and_covers_the_banner() -> None:
    runbook = (ROOT / "docs" / "safety" / "on-call-runbook.md").read_text(encoding="utf-8")
    for topic in ("Undeliverable crisis alert", "Acknowledge", "rota", "sweeper", "fallback"):
        assert topic in runbook, topic


def test_the_design_note_explains_rule_approval() -> None:
    note = (ROOT / "docs" / "safety" / "alert-system.md").read_text(encoding="utf-8")
    assert "Changing a rule" in note and "fingerprint" in note and "approved_by" in note
