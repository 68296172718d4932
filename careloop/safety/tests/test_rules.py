"""The pure rules: table-driven, no database."""

from __future__ import annotations

import dataclasses

import pytest

from careloop.safety.rules import (
    INSTRUMENT_RISK_ITEM_RULE_VERSION,
    RULEBOOK,
    most_urgent,
    rulebook_problems,
    signals_from_risk_flags,
)
from careloop.safety.rules.deterioration import signals_from_score_change
from careloop.safety.rules.registry import SHARP_DETERIORATION, fingerprint_of
from careloop.safety.rules.text_signal import UnknownTextLevel, signal_from_text_level


def test_no_flags_no_signals() -> None:
    assert signals_from_risk_flags("phq9@1.0.0", []) == []


def test_each_flag_becomes_a_signal_with_evidence_and_rule_version() -> None:
    flags = [{"code": "phq9_item9_positive", "item": 9, "value": 2, "severity": "high"}]
    [signal] = signals_from_risk_flags("phq9@1.0.0", flags)
    assert signal.rule_version == INSTRUMENT_RISK_ITEM_RULE_VERSION
    assert signal.severity == "high"
    assert signal.discriminator == "phq9_item9_positive"
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


@pytest.mark.parametrize(
    ("instrument", "previous", "current", "fires"),
    [
        ("phq9", 8, 14, True),  # +6: the NHS TT reliable-change criterion
        ("phq9", 8, 13, False),  # +5: below it
        ("phq9", 14, 8, False),  # improvement never fires
        ("gad7", 5, 9, True),  # +4
        ("gad7", 5, 8, False),
        ("phq9", None, 20, False),  # no previous administration
        ("phq9", 8, None, False),  # no total (e.g. not scorable)
        ("who5", 2, 20, False),  # no criterion in the rulebook for this instrument
        ("phq9", 8.0, 14.5, True),  # prorated totals are floats
    ],
)
def test_sharp_deterioration_fires_at_the_reliable_change_criterion(
    instrument, previous, current, fires
) -> None:
    signals = signals_from_score_change(instrument, f"{instrument}@1.0.0", previous, current)
    assert bool(signals) is fires
    if fires:
        [signal] = signals
        assert (signal.rule_id, signal.severity) == ("sharp_deterioration", "moderate")
        assert signal.evidence["rise"] == current - previous
        assert "UNVERIFIED" in signal.evidence["criterion_label"]


@pytest.mark.parametrize(
    ("level", "severity"),
    [("none", None), ("low", None), ("moderate", "moderate"), ("high", "high")],
)
def test_text_levels_moderate_and_high_raise_of_that_severity(level, severity) -> None:
    signal = signal_from_text_level(level, {"spans": [{"text": "end it"}]})
    assert (signal.severity if signal else None) == severity
    if signal:
        assert signal.evidence["spans"] == [{"text": "end it"}] and signal.rule_id == "crisis_text"


def test_an_unknown_text_level_is_refused_not_guessed() -> None:
    with pytest.raises(UnknownTextLevel):
        signal_from_text_level("severe", {})


def test_most_urgent_severity() -> None:
    assert most_urgent(["low", "high", "moderate"]) == "high"
    assert most_urgent([]) == "low"


def test_every_rule_in_the_rulebook_is_approved_and_unchanged_since() -> None:
    assert rulebook_problems() == []
    assert set(RULEBOOK) == {
        "instrument_risk_item",
        "sharp_deterioration",
        "crisis_text",
        "clinician_raised",
        "imported_result_review",
        "reliable_deterioration",
        "severity_routing",
    }


def test_changing_a_threshold_without_a_new_approved_version_is_caught() -> None:
    edited = dataclasses.replace(
        SHARP_DETERIORATION, parameters={**SHARP_DETERIORATION.parameters, "min_rise": {"phq9": 5}}
    )
    [problem] = rulebook_problems({"sharp_deterioration": edited})
    assert "parameters changed without a new approved version" in problem
    unapproved = dataclasses.replace(SHARP_DETERIORATION, approved_by="")
    assert "no approver recorded" in rulebook_problems({"sharp_deterioration": unapproved})[0]


def test_a_new_version_with_approval_and_fingerprint_is_accepted() -> None:
    parameters = {**SHARP_DETERIORATION.parameters, "min_rise": {"phq9": 5, "gad7": 4}}
    bumped = dataclasses.replace(
        SHARP_DETERIORATION,
        version="1.1.0",
        parameters=parameters,
        approved_by="Dr Example (CSO)",
        fingerprint=fingerprint_of("sharp_deterioration", "1.1.0", parameters),
    )
    assert rulebook_problems({"sharp_deterioration": bumped}) == []
