"""Care: who is cared for, by whom. Patients, care teams, team membership, treatment episodes.

Owns: CareTeam, TeamMembership, Patient, TreatmentEpisode; `services` (`register_patient`,
contact details, seed writes); `selectors`, a package holding the one access decision for every
patient read (`selectors.access`: relationship x purpose x data stream x consent from
privacy's table, read fresh, break-glass read-only, outsiders get NotFound, fails closed) and the
episode, team and trusted system reads built on it; `patient_data` (and the Patient writes
erasure needs).
Depends on: core, audit, accounts, privacy.
"""
