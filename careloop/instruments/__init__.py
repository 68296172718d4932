"""Instruments: the library of validated questionnaires and their exact, pure scoring.

Owns: versioned instrument definitions (FHIR R4 Questionnaire JSON in `definitions/`, loaded
and validated by `library`), the scoring rules for each instrument (`scoring/`, pure Python
with no Django imports: totals, reverse keying, proration, bands, caseness and item-level risk
flags), and the `careloop instruments` / `careloop score` commands.
Does not own: administered assessments or stored scores (assessments), alerting on risk flags
(safety), or trends over time (monitoring).
Depends on: nothing else in Careloop; Django only for the app config and management commands.
Every number comes from /work/shared/reference/clinical_spec.md; what the spec marks
UNVERIFIED is labelled UNVERIFIED here too, in code comments and in the definition data.
"""
