"""Safety: turns risk signals into alerts and keeps paging until a human on the care team takes
each one on; never loses one on the way.

Owns: Alert and its state machine (raised → notified → acknowledged → actioned → closed), the
pure versioned risk rules and their rulebook (`safety.rules`), raising alerts inside the
triggering transaction (questionnaire risk items and sharp deterioration via the submission hook,
crisis language via `raise_alert_for_text_signal`, clinicians by hand), escalation policies and
the on-call rota, escalation steps, leased outbound deliveries with retries and the fallback
banner, each clinician's gap-free alert inbox, and the worker jobs that drive them.
Subpackages `safety.text` (crisis-language detector) and `safety.planning` (crisis resources,
safety plan) are their own parts; they call into this package, not the other way round.
Depends on: core, accounts, audit, notifications (channel port), care, assessments.
Design and guarantees: docs/safety/alert-system.md; hazards: docs/safety/hazard-log.yaml.
"""
