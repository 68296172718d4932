from __future__ import annotations

import pytest

from careloop.safety.rules import INSTRUMENT_RISK_ITEM_RULE_VERSION, signals_from_risk_flags


def test_no_flags_no_signals() -> None:
    assert signals_from_risk_flags("phq9@1.0.0", []) == []


def test_each_flag_becomes_a_signal_with_evidence_and_rule_version() -> None:
    flags = [{"code": "phq9_item9_positive", "item": 9, "value": 2, "severity": "high"}]
    [signal] = signals_from_risk_flags("phq9@1.0.0", flags)
    assert signal.rule_version == INSTRUMENT_RISK_ITEM_RULE_VERSION
    assert signal.severity == "high"
    assert dict(signal.evidence) == {
        "instrument": "phq9@1.0.0",
        "flag": "phq9_item9_positive",
        "item": 9,
        "answer": 2,
    }


@pytest.mark.parametrize("severity", ["urgent", None, ""])
def test_unknown_severity_is_treated_as_high_never_dropped(severity) -> None:
    [signal] = signals_from_risk_flags("x@1", [{"code": "c", "severity": severity}])
    assert signal.severity == "high"
