"""The one list of audit actions: every code recorded anywhere is a member, spelled as stored."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from careloop.audit.types import AuditAction, PurposeOfUse

ROOT = Path(__file__).resolve().parents[2]  # the careloop package
# Entry points that take an action and pass it on to record_event.
RECORDERS = {
    "record_event",
    "record_patient_reads",
    "audit_alert",
    "_audit",
    "_audit_review",
    "_audit_team_change",
}


def _production_modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def _action_arguments(tree: ast.AST) -> list[ast.expr]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in RECORDERS:
            continue
        found += [kw.value for kw in node.keywords if kw.arg == "action"]
        if name not in {"record_event", "record_patient_reads"} and node.args:
            found.append(node.args[0 if name != "_audit_review" else 1])
    return found


def _members_named(expr: ast.expr) -> list[str]:
    """AuditAction.X names inside an argument (a conditional picks one of two)."""
    return [
        node.attr
        for node in ast.walk(expr)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "AuditAction"
    ]


def test_every_recorded_action_is_a_member_never_a_string() -> None:
    named: set[str] = set()
    for path in _production_modules():
        for argument in _action_arguments(ast.parse(path.read_text(), filename=str(path))):
            where = f"{path.relative_to(ROOT)}:{argument.lineno}"
            assert not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)), (
                f"{where}: a string action code; use a member of careloop.audit.types.AuditAction"
            )
            named |= set(_members_named(argument))
    assert named <= set(AuditAction.__members__), named - set(AuditAction.__members__)
    assert len(named) > 40  # the scan found the call sites (it did not silently match nothing)


def test_values_are_unique_dotted_codes_as_stored() -> None:
    values = [action.value for action in AuditAction]
    assert len(values) == len(set(values))
    for value in values:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", value), value
        assert len(value) <= 60  # AuditEvent.action's max_length


def test_codes_already_in_the_chain_keep_their_spelling() -> None:
    # A sample across the spelling styles: renaming any of these would break old records.
    assert AuditAction.ASSESSMENTS_VIEWED.value == "assessment.history_viewed"
    assert AuditAction.CASELOAD_VIEWED.value == "patient.listed_in_caseload"
    assert (
        AuditAction.FOLLOW_UP_SETTING_CHANGED.value == "monitoring_settings.risk_follow_up_changed"
    )
    assert AuditAction.ERASURE_REQUEST_WITHDRAWN.value == "rights.erasure_request_withdrawn"
    assert AuditAction.BREAK_GLASS_REVIEWED.value == "privacy.break_glass_reviewed"
    assert AuditAction.SAFETY_PLAN_SAVED.value == "safety_plan.version_saved"


def test_purposes_are_hl7_act_reason_codes() -> None:
    assert {p.value for p in PurposeOfUse} == {
        "TREAT",
        "CAREMGT",
        "HOPERAT",
        "HRESCH",
        "MLTRAINING",
        "ETREAT",
        "PATRQT",
    }
