"""Privacy: the access policy table (role, relationship, purpose, stream; `policy`, pure), consent
per purpose and data stream (published documents and append-only decisions: `services`, read by
`consent`), break-glass grants (`breakglass`: 60 minutes, reviewed, closed by a worker job).
Below `care`, whose selectors apply the table on every read.

Offers `selectors` (review lists, published documents), the pure consent texts and FHIR Consent
shape, and `patient_data`. Depends on: core, audit, notifications, accounts. Never imports care
(it names care.Patient only by string). docs/privacy/access-and-consent.md.
"""
