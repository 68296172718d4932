"""AI: every model Careloop uses to suggest or screen, and the audit that says whether each one is
fair enough to use (issue #15, "purposeful AI").

Owns (so far): the fairness metrics and the release gate (`fairness/`, pure and typed: per-group
sensitivity, false-positive rate, PPV and calibration with bootstrap 95 % CIs and small-n
suppression; survey-weighted proportions with design-based Korn–Graubard CIs) and the audit of the
two-step depression screen (PHQ-2 ≥ 3, then PHQ-9) on NHANES 2017–2018 (`screen_audit`, pure;
`careloop ai audit-screen`). Later parts of #15 (early warning, stepped-care suggestion) live here
too and must pass the gate before they are switched on.
Depends on: analytics (the NHANES reader, `analytics.nhanes`) and instruments (scoring). No tables
of its own yet. Never writes clinical data.
"""
