"""Supervision: the psychiatric consultant's review list, case-review notes and sign-off."""
