"""Messaging: secure messages between a patient and their care team (FHIR Communication). Bodies are
encrypted at rest; a patient's message is screened for crisis language (safety.services.screening)
and a risk raises an alert (text the detector cannot read is queued for review) in the same
transaction; recipients are notified through notifications, never with the content.

Owns: Message, `services` (send, mark read), `selectors` (conversations, and
`messages_visible_to` for fhir), `patient_data`, the API and pages.
Depends on: core, audit, notifications, accounts, privacy, care, safety (screening, crisis page).
"""
