"""An automated safety alert → FHIR RiskAssessment: what the rule or detector concluded, from what.

Only alerts raised by a rule or by the crisis-text detector are RiskAssessments; a clinician's own
alert is a Flag only. Each RiskAssessment is marked as an automated output (meta.tag, and the HL7
AIAST security label when the text detector's model took part) and carries the clinician's review
of it (an extension that follows the alert lifecycle). Its versions are the alert's transitions,
exactly as for the Flag with the same id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from careloop.fhir.mapping.common import (
    CARELOOP_FHIR,
    SAFETY_RULE_SYSTEM,
    Resource,
    instant,
    reference,
    with_meta,
)
from careloop.fhir.mapping.flag import AlertRecord, transition_at
from careloop.fhir.mapping.observation import TOTAL, observation_id
from careloop.safety.rules.registry import RULEBOOK

RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
# HL7 security label "Artificial Intelligence asserted" (THO v3-ObservationValue).
OBSERVATION_VALUE = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
OUTPUT_ORIGIN_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/output-origin"
REVIEW_EXTENSION = f"{CARELOOP_FHIR}/StructureDefinition/clinician-review"
REVIEW_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/clinician-review"
DETECTOR_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/crisis-text-detector"
CLINICIAN_SOURCE = "clinician"
TEXT_SOURCE = "text"
FALSE_POSITIVE = "false_positive"
# What each rule predicts (free-text outcome: no verified SNOMED code is used here).
OUTCOMES = {
    "instrument_risk_item": "Suicide or self-harm risk (questionnaire risk item)",
    "sharp_deterioration": "Clinical deterioration (reliable rise in total score)",
    "reliable_deterioration": "Clinical deterioration (reliable rise since the episode began)",
    "crisis_text": "Suicide or self-harm risk (crisis language in text)",
}


class AutomatedAlert(AlertRecord, Protocol):
    @property
    def source(self) -> str: ...
    @property
    def evidence(self) -> Mapping[str, Any]: ...
    @property
    def outcome(self) -> str: ...


def is_automated(alert: AutomatedAlert) -> bool:
    return alert.source != CLINICIAN_SOURCE


def review_status(state: str, outcome: str) -> str:
    """The clinician's review of the output at an alert state (the alert lifecycle's words)."""
    if state in ("raised", "notified"):
        return "pending"
    if state == "acknowledged":
        return "acknowledged"
    return "overridden" if outcome == FALSE_POSITIVE else "confirmed"


def _method(alert: AutomatedAlert) -> Resource:
    codings: list[dict[str, str]] = [
        {"system": SAFETY_RULE_SYSTEM, "code": alert.rule_id, "version": alert.rule_version}
    ]
    text = f"rule {alert.rule_id}@{alert.rule_version}"
    detector = str(alert.evidence.get("detector_version") or "")
    if alert.source == TEXT_SOURCE and detector:
        model = str(alert.evidence.get("model") or "unavailable")
        codings.append(
            {"system": DETECTOR_SYSTEM, "code": "crisis-text-detector", "version": detector}
        )
        text += f"; crisis-text detector {detector}, model {model}"
    return {"coding": codings, "text": text}


def _basis(alert: AutomatedAlert) -> list[dict[str, str]]:
    if alert.assessment_id is None:
        return []
    basis = [reference("QuestionnaireResponse", alert.assessment_id)]
    if alert.rule_id in ("sharp_deterioration", "reliable_deterioration"):
        basis.append(reference("Observation", observation_id(alert.assessment_id, TOTAL)))
    return basis


def _span_notes(alert: AutomatedAlert, *, include_text: bool) -> list[dict[str, str]]:
    """Name each evidence span of a text alert; the words themselves only for the care team."""
    if alert.source != TEXT_SOURCE:
        return []
    screened = str(alert.evidence.get("source") or "text")
    notes = []
    for span in alert.evidence.get("spans") or []:
        if not isinstance(span, Mapping):
            continue
        cited = span.get("rule_id") or span.get("exemplar_id") or span.get("source")
        text = (
            f"Evidence in {screened}, characters {span.get('start')}-{span.get('end')}: "
            f"construct {span.get('construct')}, {cited}, weight {span.get('weight')}"
        )
        if include_text and span.get("text"):
            text += f', words "{span["text"]}"'
        notes.append({"text": text})
    score = alert.evidence.get("score")
    if score is not None:
        notes.append({"text": f"Detector score {score} (a banding score, not a probability)"})
    return notes


def _origin(alert: AutomatedAlert) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(meta.tag, meta.security): every output is automated; the model's adds AIAST."""
    model = str(alert.evidence.get("model") or "unavailable")
    if alert.source == TEXT_SOURCE and model != "unavailable":
        # The model is named in method.text; a display must be the code's own (CodeSystem).
        tag = {"system": OUTPUT_ORIGIN_SYSTEM, "code": "ai-model"}
        security = [{"system": OBSERVATION_VALUE, "code": "AIAST"}]
        return [tag], security
    return [{"system": OUTPUT_ORIGIN_SYSTEM, "code": "automated-rule"}], []


def risk_assessment_resource(
    alert: AutomatedAlert, *, include_text: bool, version: int | None = None
) -> Resource:
    """The RiskAssessment of an automated alert at `version` (current when None).

    `include_text`: whether the reader may see the words of a text alert's evidence (the care
    team only). Raises flag.UnknownVersion for a version the alert never had.
    """
    number, state, at = transition_at(alert, version)
    rule = RULEBOOK.get(alert.rule_id)
    prediction: Resource = {
        "outcome": {"text": OUTCOMES.get(alert.rule_id, f"Safety risk ({alert.rule_id})")},
        "qualitativeRisk": {"coding": [{"system": RISK_PROBABILITY, "code": alert.severity}]},
    }
    if rule is not None:
        prediction["rationale"] = rule.summary
    resource: Resource = {
        "resourceType": "RiskAssessment",
        "id": str(alert.id),
        "extension": [
            {
                "url": REVIEW_EXTENSION,
                "valueCoding": {
                    "system": REVIEW_SYSTEM,
                    "code": review_status(state, alert.outcome),
                },
            }
        ],
        "status": "final",
        "method": _method(alert),
        "subject": reference("Patient", alert.patient_id),
        "occurrenceDateTime": instant(alert.raised_at),
        "performer": {"display": "Careloop safety rules (automated)"},
        "prediction": [prediction],
    }
    basis = _basis(alert)
    if basis:
        resource["basis"] = basis
    notes = _span_notes(alert, include_text=include_text)
    if notes:
        resource["note"] = notes
    resource = with_meta(resource, at, version=number)
    resource["meta"]["tag"], security = _origin(alert)
    if security:
        resource["meta"]["security"] = security
    return resource
