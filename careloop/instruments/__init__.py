"""Instruments: the library of validated questionnaires and their exact, pure scoring.

Owns: versioned definitions (FHIR R4 Questionnaire JSON in `definitions/`, loaded and validated
by `library`), the scorers (`scoring/`, pure: totals, reverse keying, proration, bands, caseness,
item-level risk flags, reliable-change criteria, and the one Severity in `scoring.types`),
`answer_input`, and the `careloop instruments` / `careloop score` commands.
Does not own: stored assessments, alerting or trends over time. Depends on nothing else in
Careloop (Django only for the app config and commands). Every number comes from
/work/shared/reference/clinical_spec.md; what it marks UNVERIFIED is labelled UNVERIFIED here too.
"""
