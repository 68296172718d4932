"""Monitoring: what is due for each patient, and the clinician's view of the caseload over time.

Owns: measurement plans (MeasurementPlan, PlanItem), the daily mood CheckIn, the pure `schedule`
(due, overdue, missed-in-a-row in the patient's time zone), `services` and `selectors` (packages:
plans, check-ins, reminders and default-plan worker jobs, the caseload registry, plans for fhir,
moods for analytics), the follow-up offered after a positive PHQ-9 item 9 (`follow_up_services`,
`follow_up_selectors`, MonitoringSettings, `careloop monitoring-settings`), the outcome engine
(`outcomes`, pure) and its reads (`outcome_selectors`), `patient_data`, the patient pages.
Depends on: core, audit, notifications, accounts, privacy, care, instruments, assessments, safety.
"""
