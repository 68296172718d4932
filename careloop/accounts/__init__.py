"""Accounts: people who sign in, their role, password and multi-factor authentication.

Owns: User, Role (`types`), sign-in and TOTP enrolment/verification, the staff-MFA gate, sign-in
lockout (django-axes, `lockout`), idle/absolute session limits (`sessions`, `middleware`), the
audit of sign-ins, failures and every 403 (`auth_audit`, shown at /accounts/security/), and
`api.api_user`. Offers others the signed-in user and care-team member reads (`selectors`) and
contact-channel writes (`services`); `patient_data` registers the login, its devices, sessions
and sign-in logs.
Depends on: core, audit.
"""
