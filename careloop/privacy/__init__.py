"""Privacy: the access policy table (role, relationship, purpose, stream), consent per purpose and
data stream, break-glass grants. Below `care`, whose selectors apply it on every read.

Depends on: core, accounts, audit. Never imports care (it names care.Patient only by string).
"""
