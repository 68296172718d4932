"""Safety: turns risk signals into alerts and makes sure a human on the care team is told.

Owns: Alert and its lifecycle states, the pure risk rules (`safety.rules`), raising alerts inside
the submission's transaction, and the worker job that notifies the care team.
Depends on: core, accounts, audit, notifications, care, assessments.
Escalation tiers, acknowledgement deadlines and guaranteed delivery are issue #4.
"""
