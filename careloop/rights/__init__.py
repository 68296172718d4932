"""Patient rights: the patient's own pages and API under /me/.

`access/`: consent choices, who accessed my data (the audit trail in plain language), emergency
(break-glass) access and the supervisors' review of it. `data/`: export of everything about me
(FHIR Bundle and a readable page), erasure with legal hold per the pure retention table, both
walking the patient data registry (careloop.core.patient_data); `careloop patient export|erase`.
Top layer (beside seed): may use every domain below it. No tables of its own.
"""
