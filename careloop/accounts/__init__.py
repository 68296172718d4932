"""Accounts: people who sign in, their role, password and multi-factor authentication.

Owns: User, Role, login and TOTP enrolment/verification, the staff-MFA gate.
Depends on: core.
"""
