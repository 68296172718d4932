"""Journal: the patient's private free-text journal. Entries are encrypted at rest, private unless
the patient shares one with their care team, and screened for crisis language
(safety.services.screening): a risk raises an alert, and text the detector cannot read is queued
for clinician review, in the same transaction.

Owns: JournalEntry, `services` (write, share), `selectors` (own and shared entries, through
care's access decision), `patient_data`, the API and pages.
Depends on: core, audit, accounts, privacy, care, safety (screening, crisis page).
"""
