"""Journal: the patient's private free-text journal. Entries are encrypted at rest, screened for
crisis language, and a screened risk raises an alert in the same transaction.

Depends on: core, accounts, audit, care, safety.
"""
