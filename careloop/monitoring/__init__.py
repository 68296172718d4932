"""Monitoring: what is due for each patient, and the clinician's view of the caseload over time.

Owns: the measurement schedule (which questionnaires are due, overdue), the caseload registry
(baseline, latest, change, last submission, open alerts) and the patient trajectory page.
Depends on: core, accounts, audit, care, instruments, assessments, safety (open-alert counts).
"""
