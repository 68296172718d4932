"""Assessments: questionnaires a patient has answered, scored exactly and stored with the
exact instrument version.

Owns: Assessment, `submit_assessment` (idempotent by client id), the submission hooks that let
higher domains (safety) act inside the same transaction, and the patient's questionnaire pages.
Depends on: core, accounts, audit, care, instruments.
"""
