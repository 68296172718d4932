"""AI: every model Careloop uses to suggest or screen, and the audit that says whether each one is
fair enough to use (issue #15, "purposeful AI").

Owns: the model registry (ModelVersion: every model and rule version with its card's facts,
parameters as JSON, the fairness gate's result; cards generated from it), the kill switch, the
early-warning model (`early_warning/`, pure: features, label, logistic regression, calibration,
explanations), the stepped-care rules (`stepped_care/`, pure: versioned rules and their dry-run),
predictions, suggestions and the clinician's decisions, the patient's decision receipts and
requests for human review, drift checks (`drift.py`, pure) and the audit report (`report.py`,
pure); and the fairness metrics and the release gate (`fairness/`, pure and typed: per-group
sensitivity, false-positive rate, PPV and calibration with bootstrap 95 % CIs and small-n
suppression; survey-weighted proportions with design-based Korn–Graubard CIs) and the audit of the
two-step depression screen (PHQ-2 ≥ 3, then PHQ-9) on NHANES 2017–2018 (`screen_audit`, pure;
`careloop ai audit-screen`). Later parts of #15 (early warning, stepped-care suggestion) live here
too and must pass the gate before they are switched on.
Depends on: analytics (the NHANES reader, the equity groups), monitoring (the outcome engine, the
reads of check-ins, the supervision hook it fills), assessments and care (reads; accepting a step
suggestion writes through care.services.change_step), audit. Never touches safety's alerts.
Docs: docs/ai/.
"""
