"""Messaging: secure messages between a patient and their care team (FHIR Communication). Bodies are
encrypted at rest; a patient's message is screened for crisis language and a risk raises an alert
in the same transaction.

Depends on: core, accounts, audit, notifications, care, safety.
"""
