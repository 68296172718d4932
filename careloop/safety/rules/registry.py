"""The rulebook: every safety rule, its version, its parameters and who approved that version.

Declarative and pure (no Django). A rule's behaviour is fixed by (rule_id, version, parameters);
the fingerprint is a hash of exactly those, so changing a threshold without writing a new version
and a new approval fails `rulebook_problems()` and therefore CI (test_rules_registry.py).

How a rule change is approved (docs/safety/alert-system.md, "Changing a rule"):
1. Edit the parameters here, bump the version (semver) and set `approved_by` / `approved_on`
   to the clinical approver of the change (the review of this file is the approval record).
2. Recompute the fingerprint with `fingerprint_of(...)` and paste it; CI compares the two.
Every alert stores the rule id and version that raised it, so an old alert is always read
against the rule that was in force.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# Nobody on this project holds a clinical registration: every version below awaits the
# deploying organisation's Clinical Safety Officer (DCB0129/0160). Recorded as such, not hidden.
PENDING_CSO = "Careloop safety review (issue #4); CSO sign-off PENDING"


@dataclass(frozen=True)
class RuleDefinition:
    rule_id: str
    version: str
    summary: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    approved_by: str = ""
    approved_on: str = ""  # ISO date of the approval of this version
    fingerprint: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))


def fingerprint_of(rule_id: str, version: str, parameters: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of what defines a rule's behaviour (first 16 hex digits)."""
    canonical = json.dumps(
        {"rule_id": rule_id, "version": version, "parameters": dict(parameters)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


INSTRUMENT_RISK_ITEM = RuleDefinition(
    rule_id="instrument_risk_item",
    version="1.0.0",
    summary="Every risk flag the versioned scorer raises becomes an alert with the answer as "
    "evidence (PHQ-9 item 9 >= 1, EPDS item 10 >= 1, CORE-10 item 6 >= 1, C-SSRS screener "
    "level, and a missing risk item as moderate).",
    parameters={"unknown_severity_becomes": "high"},
    sources=("clinical_spec.md §1, §9, §11, §13 (each scorer cites its own source)",),
    approved_by=PENDING_CSO,
    approved_on="2026-11-26",
    fingerprint="696208c92f6a6036",
)

SHARP_DETERIORATION = RuleDefinition(
    rule_id="sharp_deterioration",
    version="1.0.0",
    summary="A total score that rose by at least the reliable-change criterion since the "
    "previous administration of the same instrument raises a moderate alert.",
    # NHS Talking Therapies reliable-change criteria (clinical_spec.md §1 PHQ-9 change, §15
    # reliable_deterioration): PHQ-9 >= 6, GAD-7 >= 4. The spec cites secondary sources and marks
    # the reliable-deterioration details UNVERIFIED; the UI shows that label with the alert.
    parameters={
        "min_rise": {"phq9": 6, "gad7": 4},
        "compared_with": "previous administration",
        "severity": "moderate",
        "unverified": True,
    },
    sources=(
        "clinical_spec.md §1 change.nhs_tt_reliable_change (secondary sources)",
        "clinical_spec.md §15 reliable_deterioration (UNVERIFIED details)",
    ),
    approved_by=PENDING_CSO,
    approved_on="2026-11-26",
    fingerprint="f30c4e07143e1b56",
)

TEXT_SIGNAL = RuleDefinition(
    rule_id="crisis_text",
    version="1.0.0",
    summary="A crisis-language level of moderate or high from the text detector raises an "
    "alert of that severity; none and low raise nothing and never change an existing alert.",
    parameters={"alert_levels": ["moderate", "high"]},
    sources=("issue #4 item 6: moderate and above raise an alert",),
    approved_by=PENDING_CSO,
    approved_on="2026-11-26",
    fingerprint="1912ba2d5bdb2baf",
)

CLINICIAN_RAISED = RuleDefinition(
    rule_id="clinician_raised",
    version="1.0.0",
    summary="A clinician on the patient's care team raises an alert by hand, with a reason.",
    parameters={"severities": ["low", "moderate", "high"]},
    sources=("issue #4 item 1",),
    approved_by=PENDING_CSO,
    approved_on="2026-11-26",
    fingerprint="b09559a71d84f992",
)

IMPORTED_RESULT_REVIEW = RuleDefinition(
    rule_id="imported_result_review",
    version="1.0.0",
    summary="A recent imported result (the 14-day imported-history window) in the severe band, "
    "or an imported PHQ-9 whose item 9 is unknown (a total only), goes to the clinician review "
    "queue as 'risk not assessed' (no paging).",
    # Severe bands: clinical_spec.md §1 (PHQ-9 20-27, Kroenke 2001) and §4 (GAD-7 15-21,
    # Kroenke 2007); equal to the scorers' BANDS (test_imported_review.py checks it). Item 9 is
    # the PHQ-9 risk item (§1). The window is assessments.hooks.IMPORTED_RESULT_LIVE_WINDOW.
    parameters={
        "severe_from": {"phq9": 20, "gad7": 15},
        "risk_item": {"phq9": 9},
        "recent_window_days": 14,
    },
    sources=("clinical_spec.md §1 severity_bands", "clinical_spec.md §4 severity_bands"),
    approved_by=PENDING_CSO,
    approved_on="2026-12-06",
    fingerprint="ff48595654edaec1",
)

RELIABLE_DETERIORATION = RuleDefinition(
    rule_id="reliable_deterioration",
    version="1.0.0",
    summary="A total that has risen by at least the reliable-change criterion since the "
    "episode's first score on the same instrument (gradual deterioration: 10 -> 22 over four "
    "weeks) raises one alert per episode and instrument; no new one while it is open; after it "
    "is acknowledged only a further reliable rise above the alerted score, or a new run after "
    "the patient improved below the criterion, raises another. Severity from the latest band.",
    # Criterion: instruments.scoring.reliable_change (NHS TT, clinical_spec.md §15, UNVERIFIED
    # details; test_reliable_deterioration.py checks the two agree). Severity by the latest
    # total's band (clinical_spec.md §1, §4 bands) is a Careloop choice for CSO review.
    parameters={
        "min_rise": {"phq9": 6, "gad7": 4},
        "compared_with": "episode baseline (first score of the episode on the instrument)",
        "severity_by_band": {
            "severe": "high",
            "moderately severe": "moderate",
            "moderate": "moderate",
            "other": "low",
        },
        "unverified": True,
    },
    sources=(
        "clinical_spec.md §15 reliable_deterioration (UNVERIFIED details)",
        "clinical_spec.md §1, §4 severity bands",
        "docs/outcomes.md §2 (change from the episode baseline)",
    ),
    approved_by=PENDING_CSO,
    approved_on="2026-12-06",
    fingerprint="ffb084e13c9b31fa",
)

SEVERITY_ROUTING = RuleDefinition(
    rule_id="severity_routing",
    version="1.0.0",
    summary="Which escalation tiers an alert's severity may fire in quiet hours (service local "
    "time): high and moderate fire every tier at any hour (on-call is paged at night); low tells "
    "the team's clinicians at once but waits for the end of quiet hours before on-call or the "
    "service lead tier.",
    parameters={
        "quiet_hours": {"start": "20:00", "end": "08:00"},
        "tiers_in_quiet_hours": {
            "high": ["team_clinicians", "on_call", "service_lead"],
            "moderate": ["team_clinicians", "on_call", "service_lead"],
            "low": ["team_clinicians"],
        },
    },
    sources=("issue #18 item 4: a low alert does not page on-call at night; a high one does",),
    approved_by=PENDING_CSO,
    approved_on="2026-12-06",
    fingerprint="c4165314eb640708",
)

RULEBOOK: Mapping[str, RuleDefinition] = MappingProxyType(
    {
        rule.rule_id: rule
        for rule in (
            INSTRUMENT_RISK_ITEM,
            SHARP_DETERIORATION,
            TEXT_SIGNAL,
            CLINICIAN_RAISED,
            IMPORTED_RESULT_REVIEW,
            RELIABLE_DETERIORATION,
            SEVERITY_ROUTING,
        )
    }
)


def rulebook_problems(rulebook: Mapping[str, RuleDefinition] = RULEBOOK) -> list[str]:
    """Everything wrong with the rulebook: unapproved versions, edits without a new fingerprint."""
    problems = []
    for rule_id, rule in rulebook.items():
        if rule_id != rule.rule_id:
            problems.append(f"{rule_id}: registered under another id ({rule.rule_id})")
        if not rule.approved_by or not rule.approved_on:
            problems.append(f"{rule_id}@{rule.version}: no approver recorded")
        expected = fingerprint_of(rule.rule_id, rule.version, rule.parameters)
        if rule.fingerprint != expected:
            problems.append(
                f"{rule_id}@{rule.version}: parameters changed without a new approved version "
                f"(fingerprint {rule.fingerprint!r}, parameters hash to {expected!r})"
            )
    return problems
