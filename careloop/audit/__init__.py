"""Audit: an append-only record of every read and write of patient data, and of sign-ins.

Owns: AuditEvent, AuditAction, `record_event` / `record_patient_access`.
Depends on: core, accounts (the actor).
The table is shaped for a hash chain (sequence order, prev_hash, record_hash), which the privacy
work (issue #5) fills in and verifies; today the columns are written empty.
"""
