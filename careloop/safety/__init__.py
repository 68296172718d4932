"""Safety: turns risk signals into alerts and keeps paging until a human on the care team takes
each one on; never loses one on the way.

Owns: Alert and its state machine, the pure versioned risk rules and rulebook (`rules`), raising
alerts inside the triggering transaction (the submission hook; free text of journal, messages and
check-ins through `services.screening`; clinicians by hand), the clinician review queue,
escalation policies and rota, leased deliveries with the fallback banner, each clinician's
gap-free inbox, the worker jobs, `selectors` (alerts for monitoring and fhir) and `patient_data`.
`safety.text` is the pure crisis-language detector the alerting uses; `safety.planning` is its
own app, independent of the alerting. Depends on: core, audit, notifications, accounts, privacy,
care, instruments, assessments. Design: docs/safety/alert-system.md; hazards: hazard-log.yaml.
"""
