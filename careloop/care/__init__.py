"""Care: who is cared for, by whom. Patients, care teams, team membership, treatment episodes.

Owns: CareTeam, TeamMembership, Patient, TreatmentEpisode and the rule of who may see a patient
(`patient_visible_to`): the patient themself and the members of the patient's care team.
Depends on: core, accounts, audit.
"""
