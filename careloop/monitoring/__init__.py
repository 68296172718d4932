"""Monitoring: what is due for each patient, and the clinician's view of the caseload over time.

Owns: measurement plans (MeasurementPlan, PlanItem: which measures, how often, with reminders),
the daily mood CheckIn, the pure schedule (due, overdue, missed-in-a-row in the patient's time
zone), the reminder and default-plan worker jobs, the caseload registry (baseline, latest, change,
overdue, missed, open alerts), the patient trajectory page and the outcome engine
(`monitoring.outcomes`: reliable change, NHS Talking Therapies outcomes, collaborative-care
response, expected-recovery bands).
Depends on: core, accounts, audit, notifications, care, instruments, assessments, safety.
"""
