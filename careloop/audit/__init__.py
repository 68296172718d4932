"""Audit: an append-only record of every read and write of patient data, and of sign-ins.

Owns: AuditEvent, AuditAction (`types`: the one list of everything audited), PurposeOfUse,
`record_event` / `record_patient_reads` (`services`, the only write path, with the registry
through which privacy marks emergency access), `events_for_patient(s)` / `patient_ref`
(`selectors`), the hash chain (`chain/`, pure: hashing, signing, verify), signed checkpoints (a
worker job), `careloop audit verify|checkpoint|public-key|restrict-app-role`, `patient_data`.
Depends on: core only (the actor is a Protocol). Patients are named only by a keyed HMAC.
How it works and what to do when verify fails: docs/privacy/audit.md.
"""
