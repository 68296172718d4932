"""Assessments: questionnaires a patient has answered, scored exactly and stored with the
exact instrument version.

Owns: Assessment; `services` (a package: `submit_assessment`, idempotent by client id; imported
totals from a FHIR import; seed writes); `hooks`, the registry that lets higher domains (safety,
monitoring) act inside the submission's transaction; `meaning` (plain-language results, with a
registry for monitoring's follow-up wording); `selectors` (scores for monitoring, safety, fhir and
analytics, each through care's access decision); `patient_data`; the patient's questionnaire pages.
Depends on: core, audit, accounts, privacy (data streams), care, instruments.
"""
