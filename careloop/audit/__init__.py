"""Audit: an append-only record of every read and write of patient data, and of sign-ins.

Owns: AuditEvent, AuditAction (types: the one list of everything audited), PurposeOfUse,
`record_event` / `record_patient_reads` (services), `events_for_patient` / `patient_ref`
(selectors), the hash chain and its signed checkpoints (`chain`, pure),
`careloop audit verify|checkpoint|restrict-app-role`.
Depends on: core, accounts (the actor).
Each service's events form one hash chain (plus one for service-less system events); patients are
named only by a keyed HMAC. How it works and what to do when verify fails: docs/privacy/audit.md.
"""
